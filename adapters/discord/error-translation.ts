import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError, describeError } from '../../src/errors.ts';
import { redactSecrets } from '../../src/log.ts';

/** Discord JSON error codes after which a channel can never receive again without an admin's help. */
export const PERMANENT_CODES: ReadonlySet<number> = new Set([
  10003, // Unknown Channel (deleted)
  10004, // Unknown Guild (bot removed)
  50001, // Missing Access
  50013, // Missing Permissions
  50008, // Cannot send messages in a non-text channel
  50083, // Thread is archived
]);

/** Why a permanent failure happened, for the chat's `deactivatedReason` and the admins' notice. */
export type PermanentReason =
  | 'channel_deleted'
  | 'missing_access'
  | 'missing_permissions'
  | 'not_text'
  | 'gone';

/** The {@link PermanentReason} of a Discord error code, or null when the code is not permanent. */
export function permanentReason(code: number): PermanentReason | null {
  switch (code) {
    case 10003:
      return 'channel_deleted';
    case 10004:
      return 'gone';
    case 50001:
      return 'missing_access';
    case 50013:
      return 'missing_permissions';
    case 50008:
    case 50083:
      return 'not_text';
    default:
      return null;
  }
}

/**
 * Translate anything discord.js threw while sending into the core's {@link DeliveryError}:
 * - `DiscordAPIError` 10003 / 50001 / 50013 (and a few kin) → permanent (the feed is paused);
 * - `RateLimitError` or a 429 → `retryAfterMs`;
 * - 5xx, timeouts and network failures → retryable;
 * - other 4xx → permanent for this message (retrying the same payload cannot succeed).
 * Messages are secret-free: discord.js URLs of webhook routes carry tokens, so every text is redacted.
 */
export function translateDiscordError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof RateLimitError) {
    return new DeliveryError(`Discord rate limit on ${err.route} (${err.scope})`, {
      cause: err,
      retryAfterMs: Math.max(1, Math.ceil(err.retryAfter || err.timeToReset || 1000)),
    });
  }
  if (err instanceof DiscordAPIError) {
    const what = `DiscordAPIError[${err.code}] ${redactSecrets(err.message)} (${err.method} ${safeRoute(err.url)})`;
    if (err.status === 429) {
      const body = err.rawError as { retry_after?: number };
      return new DeliveryError(what, { cause: err, retryAfterMs: Math.ceil((body.retry_after ?? 1) * 1000) });
    }
    const reason = typeof err.code === 'number' ? permanentReason(err.code) : null;
    if (reason) return new DeliveryError(what, { cause: err, permanent: true, params: { reason } });
    if (err.status >= 500) return new DeliveryError(what, { cause: err });
    return new DeliveryError(what, { cause: err, permanent: true, params: { reason: 'rejected' } });
  }
  if (err instanceof HTTPError) {
    const what = `Discord HTTP ${err.status} (${err.method} ${safeRoute(err.url)})`;
    return new DeliveryError(what, { cause: err, permanent: err.status < 500 && err.status !== 408 });
  }
  return new DeliveryError(`Discord request failed: ${redactSecrets(describeError(err))}`, { cause: err });
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
