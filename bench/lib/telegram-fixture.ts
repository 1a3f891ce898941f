/**
 * Shared fixture of the telegram-* benchmarks: a throw-away database with news sources, articles
 * stored through the real store path (buildArticle → ArticleStore.insertNew → SearchJournal.append,
 * as IngestService.store does, without HTTP), and chats inserted in bulk.
 *
 * ChatStore has no bulk insert (ensure + save is a findOne, an insertOne and a scanning
 * replaceOne per chat), so chats are inserted with `insertMany` on the chats collection in
 * the document shape ChatStore writes (its `toDoc`); {@link checkChatsReadable} reads a
 * sample back through `ChatStore.get` to prove the shape.
 */
import type { CoreInternals } from '../../src/core.ts';
import type { Article, Chat, Subscription } from '../../src/domain/types.ts';
import { buildArticle } from '../../src/ingest/article-builder.ts';
import { type ChatStore, toDoc } from '../../src/store/chat-store.ts';
import { indexEntryOf } from '../../src/store/search-index.ts';
import { entry, PLACES, rng } from './gen.ts';

const BATCH = 1000;

/** Adds `count` sources; returns their ids. */
export async function addSources(core: CoreInternals, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let s = 0; s < count; s++) {
    const src = await core.stores.sources.add({
      url: `https://news${s}.example.cn/rss.xml`,
      name: `新闻源${s}`,
      kind: 'rss',
      intervalSec: 600,
    });
    ids.push(src.id);
  }
  return ids;
}

/** Stores `count` generated articles round-robin over `sourceIds`, fetched now. Returns how many were new. */
export async function addArticles(
  core: CoreInternals,
  sourceIds: readonly string[],
  count: number,
): Promise<number> {
  const r = rng(20250901);
  const now = new Date();
  let stored = 0;
  for (let from = 0; from < count; from += BATCH) {
    const batch: Article[] = [];
    for (let n = from; n < Math.min(count, from + BATCH); n++) {
      const s = n % sourceIds.length;
      const built = buildArticle(entry(r, s, n), sourceIds[s]!, `https://news${s}.example.cn/rss.xml`, now);
      if (built) batch.push(built.article);
    }
    for (const a of batch) a.clusterId = core.journal.index.findCluster(indexEntryOf(a)) ?? a.id;
    const inserted = await core.stores.articles.insertNew(batch);
    await core.journal.append(batch.filter((a) => inserted.has(a.id)).map(indexEntryOf));
    stored += inserted.size;
  }
  return stored;
}

/** Telegram chat id of chat number `n` (private chats, positive ids). */
export const benchChatId = (n: number): number => 100_000_000 + n;

/**
 * Inserts `count` private Telegram chats (numbers `from`…), each subscribed to `perChat` sources
 * picked deterministically, digest at 08:00 Asia/Shanghai, never digested, saved an hour ago.
 * A `keywordShare` of them (picked at random) also follow one place name as a keyword. Returns
 * their keys.
 */
export async function insertChats(
  core: CoreInternals,
  sourceIds: readonly string[],
  count: number,
  perChat: number,
  { from = 0, keywordShare = 0 }: { from?: number; keywordShare?: number } = {},
): Promise<string[]> {
  const r = rng(4242 + from);
  const keys: string[] = [];
  const createdAt = new Date(Date.now() - 3_600_000);
  for (let start = from; start < from + count; start += BATCH) {
    const docs = [];
    for (let n = start; n < Math.min(from + count, start + BATCH); n++) {
      const chatId = String(benchChatId(n));
      const key = `telegram:${chatId}`;
      const picked = new Set<string>();
      while (picked.size < Math.min(perChat, sourceIds.length))
        picked.add(sourceIds[Math.floor(r() * sourceIds.length)]!);
      const subscriptions: Subscription[] = [...picked].map((sourceId, k) => ({
        id: `s${n}-${k}`,
        kind: 'source',
        sourceId,
        keyword: null,
        instant: false,
        threadId: null,
        name: null,
        include: [],
        exclude: [],
        muted: false,
        createdAt,
      }));
      if (keywordShare > 0 && r() < keywordShare)
        subscriptions.push({
          ...subscriptions[0]!,
          id: `s${n}-k`,
          kind: 'keyword',
          sourceId: null,
          keyword: PLACES[Math.floor(r() * PLACES.length)]!,
        });
      const locale = n % 3 === 0 ? 'zh-Hant' : 'zh-Hans';
      const chat: Chat = {
        key,
        platform: 'telegram',
        chatId,
        type: 'private',
        title: null,
        parentKey: null,
        locale,
        script: locale === 'zh-Hant' ? 'hant' : 'original',
        timezone: 'Asia/Shanghai',
        digestTimes: ['08:00'],
        paused: false,
        active: true,
        deactivatedReason: null,
        include: [],
        exclude: [],
        subscriptions,
        lastDigestAt: null,
        lastDigestSlot: null,
        lastDigestSeq: null,
        createdAt,
      };
      // Saved an hour ago, as a group's chats are: a group marks chats saved within the last
      // minute one by one (SAVE_CLOCK_MARGIN_MS).
      docs.push({ ...toDoc(chat), updatedAt: createdAt });
      keys.push(key);
    }
    await core.db.models.Chat.collection.insertMany(docs as never[], { ordered: false });
  }
  return keys;
}

/** Reads a few chats back through ChatStore.get (the bulk-inserted shape must be what the store reads). */
export async function checkChatsReadable(
  chats: Pick<ChatStore, 'get'>,
  keys: readonly string[],
): Promise<void> {
  for (const key of [keys[0], keys[Math.floor(keys.length / 2)], keys[keys.length - 1]]) {
    const c = key ? await chats.get(key) : null;
    if (!c || c.subscriptions.length === 0 || !c.active) throw new Error(`chat ${key} not readable`);
  }
}

/** Runs `fn` over `items` with `concurrency` in flight; `stop()` true ends early. Returns how many ran. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < items.length && !stop()) {
      const item = items[next++]!;
      await fn(item);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return done;
}
