import { TelegramError } from 'telegraf';
import { DeliveryError, describeError } from '../../src/errors.ts';
import { redactSecrets } from '../../src/log.ts';

/** 400 descriptions that mean the chat can never receive again. */
const GONE =
  /chat not found|bot was kicked|bot is not a member|user is deactivated|chat was deleted|have no rights to send|not enough rights|need administrator rights|group chat was upgraded|PEER_ID_INVALID/i;

/**
 * Translate anything telegraf threw into the core `DeliveryError`: 429 → `retryAfterMs`; 403 and
 * "chat not found"-like 400s → `permanent`; other 400s → `params.reason = 'rejected'` (the message
 * itself is wrong: retrying cannot help, the chat stays active); 5xx and network failures →
 * retryable. Messages are redacted: node-fetch errors quote the URL, which holds the bot token.
 */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const message = redactSecrets(describeError(err));
  if (err instanceof TelegramError) {
    const code = err.code;
    const retryAfter = err.parameters?.retry_after;
    if (code === 429)
      return new DeliveryError(message, { retryAfterMs: Math.max(1, retryAfter ?? 1) * 1000 });
    if (code === 403) return new DeliveryError(message, { permanent: true });
    if (code === 400 && GONE.test(err.description)) return new DeliveryError(message, { permanent: true });
    if (code === 400 || code === 401 || code === 404)
      return new DeliveryError(message, { params: { reason: 'rejected' } });
    return new DeliveryError(message);
  }
  return new DeliveryError(message);
}
