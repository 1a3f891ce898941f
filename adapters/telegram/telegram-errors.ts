import { TelegramError } from 'telegraf';
import { DeliveryError, describeError } from '../../src/errors.ts';
import { redactSecrets } from '../../src/log.ts';

/** 400 descriptions that mean the chat can never receive again (without a person's help). */
const CHAT_GONE =
  /chat not found|bot was kicked|bot is not a member|user is deactivated|chat was deleted|have no rights to send|not enough rights|need administrator rights|group chat was upgraded|PEER_ID_INVALID/i;

/**
 * Translate anything telegraf threw while sending into the core's {@link DeliveryError} kind:
 * - 429 → `rate_limited` with Telegram's `retry_after`;
 * - 403 (blocked, kicked) and "chat not found"-like 400s → `chat_gone`;
 * - other 400s (a bad message, `message thread not found`) → `rejected`: this delivery only;
 * - 401 / 404 (the bot's token is wrong) and 5xx, network failures → `retry`: nothing is wrong
 *   with the chat or the message, the operator must fix the bot or wait out Telegram.
 * Messages are redacted: node-fetch errors quote the URL, which holds the bot token.
 */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const message = redactSecrets(describeError(err));
  if (err instanceof TelegramError) {
    const code = err.code;
    if (code === 429)
      return new DeliveryError('rate_limited', message, {
        retryAfterMs: Math.max(1, err.parameters?.retry_after ?? 1) * 1000,
      });
    const reason = redactSecrets(err.description).slice(0, 200);
    if (code === 403 || (code === 400 && CHAT_GONE.test(err.description)))
      return new DeliveryError('chat_gone', message, { reason });
    if (code === 400) return new DeliveryError('rejected', message, { reason });
  }
  return new DeliveryError('retry', message);
}
