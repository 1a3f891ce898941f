import type { Telegram } from 'telegraf';
import type { PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import { toDeliveryError } from './telegram-errors.ts';
import { renderMessage } from './telegram-renderer.ts';

/**
 * The Telegram {@link PlatformSender}: renders a message to HTML parts and sends one part per call,
 * link previews off, into the message's forum topic. `allow_paid_broadcast` when opted in.
 */
export function createTelegramSender(telegram: Telegram, opts: { paidBroadcast: boolean }): PlatformSender {
  const cache = new WeakMap<OutgoingMessage, string[]>();
  const parts = (msg: OutgoingMessage): string[] => {
    let p = cache.get(msg);
    if (!p) {
      p = renderMessage(msg);
      cache.set(msg, p);
    }
    return p;
  };
  return {
    platform: 'telegram',
    partCount: (_chat: Chat, msg: OutgoingMessage) => parts(msg).length,
    async sendPart(chat: Chat, msg: OutgoingMessage, part: number) {
      const text = parts(msg)[part];
      if (text === undefined)
        throw new DeliveryError('rejected', `part ${part} of ${parts(msg).length} does not exist`);
      const extra: Record<string, unknown> = {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      };
      if (msg.threadId) extra.message_thread_id = Number(msg.threadId);
      if (opts.paidBroadcast) extra.allow_paid_broadcast = true;
      try {
        await telegram.sendMessage(chat.chatId, text, extra as never);
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
  };
}
