/**
 * Building Telegram digests for many chats through the real scheduled path: the job one digest
 * minute fires, `DigestService.runGroup` (one SearchJournal.refresh → ChatStore.digestGroup: one
 * scan for the minute's chats, streamed in batches → per batch of 250 chats in-memory
 * selectDigest with cached ArticleStore reads, DeliveryStore.createMany and
 * DeliverQueues.enqueueMany into BullMQ → at the end ChatStore.markDigestGroup, one write for the
 * group). Nothing is sent: no deliver worker runs, the deliver jobs stay in Redis until
 * cleanup. Sizes from BENCH_TG_BUILD_SIZES (default 10,000 and 100,000 chats), each in a fresh
 * database (50 sources, 2,000 articles, chats subscribed to 3 sources, all at 08:00
 * Asia/Shanghai; a share BENCH_TG_KEYWORD_SHARE of them, none by default, also follow a
 * keyword). Every dependency call is timed (summed latency, and its mean per chat; the scan as
 * the time spent waiting for its batches), so the report says which phase dominates. Peak RSS is
 * sampled every 100 ms over the build.
 */
import { DeliverQueues } from '../jobs/deliver-queue.ts';
import { createRedis } from '../jobs/queues.ts';
import { type CoreInternals, createCoreInternals } from '../src/core.ts';
import type { DeliveryQueuePort } from '../src/delivery/platform-sender.ts';
import { DigestService } from '../src/digest/digest-service.ts';
import { ChatStore } from '../src/store/chat-store.ts';
import { DeliveryStore } from '../src/store/delivery-store.ts';
import { benchConfig, benchDbName, deleteQueueKeys, silentLog } from './lib/env.ts';
import { benchHeap } from './lib/heap-policy.ts';
import { collectGarbage, mb, RssSampler, round } from './lib/stats.ts';
import { addArticles, addSources, checkChatsReadable, insertChats } from './lib/telegram-fixture.ts';

const SIZES = (process.env.BENCH_TG_BUILD_SIZES ?? '10000,100000').split(',').map(Number);
const SOURCES = 50;
const ARTICLES = 2000;
const SOURCES_PER_CHAT = 3;
/** Share of chats that also follow a keyword (one of ten place names): BENCH_TG_KEYWORD_SHARE. */
const KEYWORD_SHARE = Number(process.env.BENCH_TG_KEYWORD_SHARE ?? 0);

type Phase =
  | 'digest_group'
  | 'articles_getMany'
  | 'delivery_createMany'
  | 'mark_digests'
  | 'mark_digest_group'
  | 'enqueue_many';
const PHASES: Phase[] = [
  'digest_group',
  'articles_getMany',
  'delivery_createMany',
  'mark_digests',
  'mark_digest_group',
  'enqueue_many',
];

/** Wraps `obj[name]` (bound) so every call adds its latency to `acc[phase]`. */
function timeMethod<T extends object>(
  obj: T,
  name: keyof T & string,
  phase: Phase,
  acc: Record<Phase, number>,
) {
  const original = (obj[name] as (...a: unknown[]) => Promise<unknown>).bind(obj);
  (obj as Record<string, unknown>)[name] = async (...args: unknown[]) => {
    const t = performance.now();
    try {
      return await original(...args);
    } finally {
      acc[phase] += performance.now() - t;
    }
  };
}

/** The batches of `source`, adding the time spent waiting for each to `add`. */
async function* timedBatches<T>(source: AsyncIterable<T>, add: (ms: number) => void): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  for (;;) {
    const t = performance.now();
    const r = await it.next();
    add(performance.now() - t);
    if (r.done) return;
    yield r.value;
  }
}

const open: Array<{ core: CoreInternals; prefix: string }> = [];

async function measure(size: number): Promise<Record<string, number | string>> {
  const dbName = benchDbName(`tgbuild${size}`);
  const prefix = `bench-tgbuild-${size}-${Date.now()}`;
  const config = benchConfig(dbName, { QUEUE_PREFIX: prefix });
  const core = await createCoreInternals(config, silentLog);
  const entry = { core, prefix };
  open.push(entry);
  const redis = createRedis(config.REDIS_URL);
  const queues = new DeliverQueues(redis, prefix);
  try {
    const f0 = performance.now();
    const sourceIds = await addSources(core, SOURCES);
    await addArticles(core, sourceIds, ARTICLES);
    const f1 = performance.now();
    const keys = await insertChats(core, sourceIds, size, SOURCES_PER_CHAT, { keywordShare: KEYWORD_SHARE });
    const insertMs = performance.now() - f1;
    const chats = new ChatStore(core.db.models);
    const deliveries = new DeliveryStore(core.db.models);
    await checkChatsReadable(chats, keys);

    const acc = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
    const chatPort = {
      get: (key: string) => chats.get(key),
      getMany: (keys: readonly string[]) => chats.getMany(keys),
      instantChats: (sourceId: string) => chats.instantChats(sourceId),
      digestGroupScan: (time: string, tz: string, size: number) =>
        timedBatches(chats.digestGroup(time, tz, size), (ms) => {
          acc.digest_group += ms;
        }),
      markDigests: (marks: Parameters<ChatStore['markDigests']>[0]) => chats.markDigests(marks),
      markDigestGroup: (mark: Parameters<ChatStore['markDigestGroup']>[0]) => chats.markDigestGroup(mark),
    };
    timeMethod(chatPort, 'markDigests', 'mark_digests', acc);
    timeMethod(chatPort, 'markDigestGroup', 'mark_digest_group', acc);
    timeMethod(deliveries, 'createMany', 'delivery_createMany', acc);
    timeMethod(core.stores.articles, 'getMany', 'articles_getMany', acc);
    const queue: DeliveryQueuePort = {
      enqueue: (ref) => queues.enqueue(ref),
      enqueueMany: (refs) => queues.enqueueMany(refs),
    };
    timeMethod(queue, 'enqueueMany', 'enqueue_many', acc);
    const digests = new DigestService({
      chats: chatPort,
      deliveries,
      journal: core.journal,
      articles: core.stores.articles,
      sourceNames: () => core.core.headlines.sourceNames(),
      queue,
      firstLookbackMs: config.FIRST_DIGEST_LOOKBACK,
    });

    collectGarbage();
    const sampler = new RssSampler().start(100);
    const rssStart = process.memoryUsage().rss;
    const slot = Math.floor(Date.now() / 60_000) * 60_000;
    const t0 = performance.now();
    // As the digest worker runs a group: bulk work under the process's heap policy.
    const tally = await benchHeap.relaxed(() => digests.runGroup('08:00', 'Asia/Shanghai', slot));
    const wallMs = performance.now() - t0;
    const peak = sampler.stop();
    const built = tally.queued + tally.empty;
    const perChat = (ms: number) => round(ms / Math.max(1, built), 3);
    const out: Record<string, number | string> = {
      [`n${size}_chats_built`]: built,
      [`n${size}_wall_s`]: round(wallMs / 1000, 1),
      [`n${size}_chats_per_s`]: round((built / wallMs) * 1000, 1),
      [`n${size}_peak_rss_mb`]: mb(peak),
      [`n${size}_rss_growth_mb`]: mb(peak - rssStart),
      [`n${size}_outcomes`]: Object.entries(tally)
        .filter(([, n]) => n > 0)
        .map(([o, n]) => `${o}:${n}`)
        .join(' '),
      [`n${size}_fixture_s`]: round((f1 - f0) / 1000, 1),
      [`n${size}_chat_insertMany_s`]: round(insertMs / 1000, 1),
    };
    for (const p of PHASES) out[`n${size}_${p}_ms_per_chat`] = perChat(acc[p]);
    return out;
  } finally {
    await queues.close();
    await redis.quit();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const result: Record<string, number | string> = {
    sizes: SIZES.join(','),
    sources: SOURCES,
    articles: ARTICLES,
    sources_per_chat: SOURCES_PER_CHAT,
    keyword_share: KEYWORD_SHARE,
    path: "DigestService.runGroup (the scheduled minute's group job), batches of 250",
    sender: 'none (no deliver workers; deliver jobs only enqueued)',
  };
  for (const size of SIZES) {
    Object.assign(result, await measure(size));
    await dropOpen();
  }
  return result;
}

async function dropOpen(): Promise<void> {
  while (open.length > 0) {
    const { core, prefix } = open.pop()!;
    try {
      await core.db.drop();
      await core.core.close();
    } finally {
      await deleteQueueKeys(prefix);
    }
  }
}

export async function cleanup(): Promise<void> {
  await dropOpen();
}
