import type { ChatService } from '../chats/chat-service.ts';
import { type DeliveryQueuePort, freshJob } from '../delivery/platform-sender.ts';
import type { Chat, OutgoingMessage, Source } from '../domain/types.ts';
import { describeError } from '../errors.ts';
import { formatLocalTime } from '../i18n/format-time.ts';
import { t } from '../i18n/i18n.ts';
import type { Logger } from '../log.ts';
import { type DeliveryStore, deliveryIdOf, packMessage } from '../store/delivery-store.ts';
import type { SourceStore } from '../store/source-store.ts';
import { convertScript } from '../text/script-converter.ts';
import { failureAdvice, failureText } from './failure-kind.ts';

/** Collaborators of {@link SourceNotices}. */
export interface SourceNoticesDeps {
  chats: Pick<ChatService, 'get' | 'subscribersOf'>;
  sources: Pick<SourceStore, 'owners'>;
  deliveries: DeliveryStore;
  /** Enqueues the notices; null in processes without queues (the sweep of a service sends them). */
  queue: DeliveryQueuePort | null;
  log: Logger;
}

/**
 * Tells the people of a source that it was disabled, and that it came back: one notice per chat
 * (its owners and subscribers), in the chat's language, recorded as a delivery and sent through
 * the deliver queues like a digest. The delivery id names the source and the moment it was
 * disabled, so a notice built twice (racing fetches, a retried job) is recorded and sent once, and
 * an unsent one is finished by the delivery sweep after a crash.
 */
export class SourceNotices {
  constructor(private readonly deps: SourceNoticesDeps) {}

  /** Tell that `source` was disabled at `at` after failures of `kind`. */
  async disabled(source: Source, kind: string, at: Date): Promise<number> {
    return this.tell(source, `source-down-${source.id}-${at.getTime()}`, (chat, name) => ({
      heading: t(chat.locale, 'sourceNotice.downHeading', { name }),
      text: [
        t(chat.locale, 'sourceNotice.downText', {
          reason: failureText(chat.locale, kind),
          time: formatLocalTime(at.getTime(), chat.timezone),
        }),
        failureAdvice(chat.locale, kind),
      ].join('\n'),
    }));
  }

  /** Tell that `source`, disabled at `disabledAt`, answers again. */
  async recovered(source: Source, disabledAt: Date): Promise<number> {
    return this.tell(source, `source-up-${source.id}-${disabledAt.getTime()}`, (chat, name) => ({
      heading: t(chat.locale, 'sourceNotice.upHeading', { name }),
      text: t(chat.locale, 'sourceNotice.upText'),
    }));
  }

  private async tell(
    source: Source,
    digestKey: string,
    compose: (chat: Chat, name: string) => { heading: string; text: string },
  ): Promise<number> {
    const subscribers = await this.deps.chats.subscribersOf(source.id);
    const chats = new Map(subscribers.map((c) => [c.key, c]));
    for (const key of await this.deps.sources.owners(source.id)) {
      if (chats.has(key)) continue;
      const chat = await this.deps.chats.get(key);
      if (chat) chats.set(key, chat);
    }
    let queued = 0;
    for (const chat of chats.values()) {
      // A guild holds its channels' settings; it is no place to post to.
      if (!chat.active || chat.type === 'guild') continue;
      const sub = chat.subscriptions.find((s) => s.kind === 'source' && s.sourceId === source.id);
      const name = convertScript(sub?.name ?? source.name, chat.script);
      const id = deliveryIdOf(chat.key, digestKey);
      const message: OutgoingMessage = {
        kind: 'notice',
        locale: chat.locale,
        ...compose(chat, name),
        groups: [],
        threadId: sub?.threadId ?? null,
        timezone: chat.timezone,
      };
      try {
        const delivery = {
          id,
          chatKey: chat.key,
          digestKey,
          message,
          packed: packMessage(message),
          createdAt: new Date(),
        };
        const created = await this.deps.deliveries.create(delivery);
        if (!created || !this.deps.queue) continue;
        await this.deps.queue.enqueue(freshJob(delivery, chat));
        queued++;
      } catch (err) {
        // One chat's notice failing (the sweep finishes a recorded one) must not stop the others.
        this.deps.log.warn(
          { err: describeError(err), chat: chat.key, source: source.id },
          'source notice failed',
        );
      }
    }
    return queued;
  }
}
