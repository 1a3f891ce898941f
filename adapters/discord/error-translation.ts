import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError, describeError } from '../../src/errors.ts';
import { redactSecrets } from '../../src/log.ts';

/** Why a channel can no longer receive, stored as the chat's `deactivatedReason`. */
export type ChannelGoneReason =
  | 'channel_deleted'
  | 'missing_access'
  | 'missing_permissions'
  | 'not_text'
  | 'gone';

/** The {@link ChannelGoneReason} of a Discord JSON error code, or null when the code is about the message. */
export function channelGoneReason(code: number): ChannelGoneReason | null {
  switch (code) {
    case 10003: // Unknown Channel (deleted)
      return 'channel_deleted';
    case 10004: // Unknown Guild (the bot was removed)
      return 'gone';
    case 50001: // Missing Access
      return 'missing_access';
    case 50013: // Missing Permissions
      return 'missing_permissions';
    case 50008: // Cannot send messages in a non-text channel
    case 50083: // Thread is archived
      return 'not_text';
    default:
      return null;
  }
}

/**
 * Translate anything discord.js threw while sending into the core's {@link DeliveryError} kind:
 * - `RateLimitError` or a 429 → `rate_limited` with the wait;
 * - a deleted channel, lost access or permission (10003, 10004, 50001, 50013, 50008, 50083) →
 *   `chat_gone` with the reason (an admin must act; the feed is paused);
 * - 5xx, 408, timeouts and network failures → `retry`;
 * - any other 4xx → `rejected`: this message cannot be sent as it is, the channel stays active.
 * Messages are secret-free: discord.js URLs of webhook routes carry tokens, so every text is redacted.
 */
export function translateDiscordError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof RateLimitError) {
    return new DeliveryError('rate_limited', `Discord rate limit on ${err.route} (${err.scope})`, {
      cause: err,
      retryAfterMs: Math.max(1, Math.ceil(err.retryAfter || err.timeToReset || 1000)),
    });
  }
  if (err instanceof DiscordAPIError) {
    const what = `DiscordAPIError[${err.code}] ${redactSecrets(err.message)} (${err.method} ${safeRoute(err.url)})`;
    if (err.status === 429) {
      const body = err.rawError as { retry_after?: number };
      return new DeliveryError('rate_limited', what, {
        cause: err,
        retryAfterMs: Math.ceil((body.retry_after ?? 1) * 1000),
      });
    }
    const reason = typeof err.code === 'number' ? channelGoneReason(err.code) : null;
    if (reason) return new DeliveryError('chat_gone', what, { cause: err, reason });
    if (err.status >= 500 || err.status === 408) return new DeliveryError('retry', what, { cause: err });
    return new DeliveryError('rejected', what, { cause: err, reason: `discord_${err.code}` });
  }
  if (err instanceof HTTPError) {
    const what = `Discord HTTP ${err.status} (${err.method} ${safeRoute(err.url)})`;
    const kind = err.status >= 500 || err.status === 408 ? 'retry' : 'rejected';
    return new DeliveryError(kind, what, { cause: err });
  }
  return new DeliveryError('retry', `Discord request failed: ${redactSecrets(describeError(err))}`, {
    cause: err,
  });
}

/** The path of a Discord URL without interaction or webhook tokens. */
export function safeRoute(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a URL: keep as is
  }
  return redactSecrets(
    path
      .replace(/\/api\/v\d+/, '')
      .replace(/(\/interactions\/\d+\/)[^/]+/, '$1:token')
      .replace(/(\/webhooks\/\d+\/)[^/]+/, '$1:token'),
  );
}
