import type { ChatService } from '../chats/chat-service.ts';
import type { DeliveryQueuePort } from '../delivery/platform-sender.ts';
import type { Article, Chat } from '../domain/types.ts';
import type { ArticleStore } from '../store/article-store.ts';
import { type DeliveryStore, deliveryIdOf } from '../store/delivery-store.ts';
import type { SearchJournal } from '../store/search-journal.ts';
import { filterText, passesFilters } from '../text/filter-match.ts';
import { convertScript } from '../text/script-converter.ts';
import { composeDigest, composeInstant } from './digest-composer.ts';
import { type SelectedDigest, selectDigest } from './digest-selector.ts';
import { itemExtras, itemFormatOf } from './item-format.ts';

/** Collaborators of {@link DigestService}. */
export interface DigestServiceDeps {
  chats: Pick<ChatService, 'get' | 'markDigest' | 'instantChats'>;
  deliveries: DeliveryStore;
  journal: SearchJournal;
  articles: ArticleStore;
  /** Source names by id; `needed` ids are read fresh when a cached map lacks them. */
  sourceNames: (needed: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  /** Enqueues deliveries; null in processes without queues (then nothing is built). */
  queue: DeliveryQueuePort | null;
  /** How far back a chat's first digest looks (ms). */
  firstLookbackMs: number;
  /** Most items per digest. */
  cap?: number;
}

/** Outcome of building a digest. */
export type DigestOutcome = 'queued' | 'empty' | 'skipped' | 'no_subscriptions';

/**
 * Builds digests and records them as deliveries. Recording is idempotent per (chat, digest key):
 * a scheduled slot built twice (a catch-up racing the scheduler, a crash before the chat was
 * marked) records one delivery, and the delivery queue finishes whatever was recorded.
 */
export class DigestService {
  constructor(private readonly deps: DigestServiceDeps) {}

  /**
   * The digest messages `chat` would get now (one per forum topic it posts into), and the journal
   * number they cover up to (the chat's next cursor).
   */
  async select(chat: Chat, now = Date.now()): Promise<{ selected: SelectedDigest[]; cursor: number }> {
    await this.deps.journal.refresh();
    const cursor = this.deps.journal.readPosition;
    const since = chat.lastDigestAt ? chat.lastDigestAt.getTime() : now - this.deps.firstLookbackMs;
    const selected = await selectDigest(
      { index: this.deps.journal.index, articles: this.deps.articles, sourceNames: this.deps.sourceNames },
      chat,
      { sinceMs: since, afterSeq: chat.lastDigestSeq, upToSeq: cursor },
      this.deps.cap === undefined ? {} : { cap: this.deps.cap },
    );
    return { selected, cursor };
  }

  /** The scheduled digest of `slot` (epoch ms) for a chat; an empty one sends nothing. */
  async runScheduled(chatKey: string, slot: number, now = Date.now()): Promise<DigestOutcome> {
    const chat = await this.deps.chats.get(chatKey);
    if (!chat?.active) return 'skipped';
    if (chat.lastDigestSlot !== null && chat.lastDigestSlot >= slot) return 'skipped';
    if (chat.paused) {
      await this.deps.chats.markDigest(chatKey, slot, chat.lastDigestAt ?? new Date(now));
      return 'skipped';
    }
    return this.build(chat, `slot-${slot}`, slot, now);
  }

  /** A digest on request (/digest): 'empty' when nothing is new. */
  async runNow(chatKey: string, now = Date.now()): Promise<DigestOutcome> {
    const chat = await this.deps.chats.get(chatKey);
    if (!chat) return 'skipped';
    if (chat.subscriptions.length === 0) return 'no_subscriptions';
    return this.build(chat, `now-${now}`, null, now);
  }

  private async build(
    chat: Chat,
    digestKey: string,
    slot: number | null,
    now: number,
  ): Promise<DigestOutcome> {
    const queue = this.deps.queue;
    if (!queue) return 'skipped';
    const { selected, cursor } = await this.select(chat, now);
    if (selected.length === 0) {
      await this.deps.chats.markDigest(chat.key, slot, new Date(now), cursor);
      return 'empty';
    }
    const refs = [];
    for (const s of selected) {
      const key = s.threadId === null ? digestKey : `${digestKey}-t${s.threadId}`;
      const id = deliveryIdOf(chat.key, key);
      const created = await this.deps.deliveries.create({
        id,
        chatKey: chat.key,
        digestKey: key,
        message: composeDigest(chat, s, slot ?? now),
        createdAt: new Date(now),
      });
      // A digest built again (a retried job) finds its delivery recorded: its job is not fresh.
      refs.push({ deliveryId: id, chatKey: chat.key, platform: chat.platform, part: 0, fresh: created });
    }
    await this.deps.chats.markDigest(chat.key, slot, new Date(now), cursor);
    for (const r of refs) await queue.enqueue(r);
    return 'queued';
  }

  /**
   * Instant subscriptions: each new article goes at once to the chats subscribed to its source
   * with `instant` on and not muted (the chat's and the subscription's filters apply). The core
   * calls it after each fetch that stored articles.
   */
  async instant(articles: readonly Article[]): Promise<number> {
    const queue = this.deps.queue;
    if (!queue) return 0;
    let queued = 0;
    const bySource = new Map<string, Article[]>();
    for (const a of articles) bySource.set(a.sourceId, [...(bySource.get(a.sourceId) ?? []), a]);
    const names = await this.deps.sourceNames([...bySource.keys()]);
    for (const [sourceId, list] of bySource) {
      const chatKeys = await this.deps.chats.instantChats(sourceId);
      for (const key of chatKeys) {
        const chat = await this.deps.chats.get(key);
        const sub = chat?.subscriptions.find(
          (s) => s.kind === 'source' && s.sourceId === sourceId && s.instant && !s.muted,
        );
        if (!chat || !sub || !chat.active || chat.paused) continue;
        for (const a of list) {
          if (!passesFilters(filterText(`${a.title} ${a.summary}`), chat, sub)) continue;
          const sourceName = convertScript(sub.name ?? names.get(sourceId) ?? sourceId, chat.script);
          const item = {
            articleId: a.id,
            title: convertScript(a.title, chat.script),
            url: a.url,
            sourceName,
            publishedAt: a.publishedAt.toISOString(),
            alsoReportedBy: [],
            ...itemExtras(a, itemFormatOf(chat, sub), chat.script),
          };
          const digestKey = `instant-${a.id}`;
          const id = deliveryIdOf(key, digestKey);
          const created = await this.deps.deliveries.create({
            id,
            chatKey: key,
            digestKey,
            message: composeInstant(chat, {
              threadId: sub.threadId,
              groups: [{ sourceName, items: [item] }],
              count: 1,
            }),
            createdAt: new Date(),
          });
          if (!created) continue;
          await queue.enqueue({
            deliveryId: id,
            chatKey: key,
            platform: chat.platform,
            part: 0,
            fresh: true,
          });
          queued++;
        }
      }
    }
    return queued;
  }
}
