import type { Telegram } from 'telegraf';
import type { ChatTarget, PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import { toDeliveryError } from './telegram-errors.ts';
import { renderMessage, renderPhoto } from './telegram-renderer.ts';
import type { BotApiCall } from './telegram-transport.ts';

/**
 * The Telegram {@link PlatformSender}: renders a message to HTML parts and sends one part per call,
 * link previews as the chat chose (off unless it turned them on), into the message's forum topic.
 * An instant item in the `full` format with an image is a photo with a caption; when Telegram
 * refuses the photo (it cannot fetch the URL, or the file is no image), the same item is sent as
 * text at once — a refused photo posted nothing, so the item is neither lost nor doubled.
 * `allow_paid_broadcast` when opted in. Text goes out through `opts.call` (the pooled transport,
 * telegram-transport.ts); photos through telegraf's own.
 */
export function createTelegramSender(
  telegram: Telegram,
  opts: { paidBroadcast: boolean; call: BotApiCall },
): PlatformSender {
  const { call } = opts;
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
    partCount: (_chat: ChatTarget, msg: OutgoingMessage) => parts(msg).length,
    async sendPart(chat: ChatTarget, msg: OutgoingMessage, part: number) {
      const text = parts(msg)[part];
      if (text === undefined)
        throw new DeliveryError('rejected', `part ${part} of ${parts(msg).length} does not exist`);
      const common: Record<string, unknown> = { parse_mode: 'HTML' };
      if (msg.threadId) common.message_thread_id = Number(msg.threadId);
      if (opts.paidBroadcast) common.allow_paid_broadcast = true;
      const photo = parts(msg).length === 1 ? renderPhoto(msg) : null;
      if (photo) {
        try {
          await telegram.sendPhoto(chat.chatId, photo.photo, { ...common, caption: photo.caption } as never);
          return;
        } catch (err) {
          const e = toDeliveryError(err);
          // Only a refusal of this photo falls back to text; a gone chat, a rate limit or a
          // network failure is the queue's to handle, as for any message.
          if (e.kind !== 'rejected') throw e;
        }
      }
      const extra = { ...common, link_preview_options: { is_disabled: msg.previews !== true } };
      try {
        await call('sendMessage', { chat_id: chat.chatId, ...extra, text });
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
  };
}
