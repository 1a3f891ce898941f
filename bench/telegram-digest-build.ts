/**
 * Building Telegram digests for many chats through the real DigestService code path
 * (DigestService.runNow → ChatStore.get → SearchJournal.refresh + selectDigest (in-memory index,
 * ArticleStore.getMany `_id` reads) → DeliveryStore.create → ChatStore.markDigest →
 * DeliverQueues.enqueue into BullMQ), 8 chats in flight as the digest worker runs them.
 * Nothing is sent: no deliver worker runs, the deliver jobs stay in Redis until cleanup.
 *
 * 100,000 chats are not feasible within minutes on FerretDB (SQLite backend): the build runs at
 * ~14–17 chats/s (~65 FerretDB operations per chat, 60 of them ArticleStore.getMany `_id` reads),
 * i.e. ~2 h for 100,000. (The brief suspected `markDigest`'s `updateOne`; the serial probe below
 * measures it at ~1–2 ms at 10k–20k chats, no scan on this FerretDB.) The benchmark therefore
 * measures at 10,000 and 20,000 chats (BENCH_TG_BUILD_SIZES, e.g. `100000` to try), each in a
 * fresh database (50 sources, 2,000 articles, chats subscribed to 3 sources), each size with a
 * wall-time budget (BENCH_TG_BUILD_BUDGET_MS, default 100 s): when the budget ends first, the
 * rate measured is extrapolated to the whole size. Every dependency call is timed, so the report
 * says which phase dominates (summed latency over the 8 lanes, and its mean per chat), plus a
 * serial probe of `findOne({_id})` against `updateOne({_id})` on the
 * chats collection at that size. Peak RSS is sampled every 100 ms over the build.
 */
import { DeliverQueues } from '../jobs/deliver-queue.ts';
import { createRedis } from '../jobs/queues.ts';
import { type CoreInternals, createCoreInternals } from '../src/core.ts';
import type { DeliveryQueuePort } from '../src/delivery/platform-sender.ts';
import { DigestService } from '../src/digest/digest-service.ts';
import { ChatStore } from '../src/store/chat-store.ts';
import { DeliveryStore } from '../src/store/delivery-store.ts';
import { benchConfig, benchDbName, deleteQueueKeys, silentLog } from './lib/env.ts';
import { collectGarbage, mb, median, RssSampler, round } from './lib/stats.ts';
import { addArticles, addSources, checkChatsReadable, insertChats, pool } from './lib/telegram-fixture.ts';

const SIZES = (process.env.BENCH_TG_BUILD_SIZES ?? '10000,20000').split(',').map(Number);
const BUDGET_MS = Number(process.env.BENCH_TG_BUILD_BUDGET_MS ?? 100_000);
const SOURCES = 50;
const ARTICLES = 2000;
const SOURCES_PER_CHAT = 3;
const CONCURRENCY = 8;
const PROBES = 30;

type Phase = 'chat_get' | 'select' | 'articles_getMany' | 'delivery_create' | 'mark_digest' | 'enqueue';
const PHASES: Phase[] = [
  'chat_get',
  'select',
  'articles_getMany',
  'delivery_create',
  'mark_digest',
  'enqueue',
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

async function probe(
  core: CoreInternals,
  keys: readonly string[],
): Promise<{ findMs: number; updateMs: number }> {
  const col = core.db.models.Chat.collection;
  const find: number[] = [];
  const update: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const key = keys[Math.floor((i / PROBES) * keys.length)]!;
    let t = performance.now();
    await col.findOne({ _id: key as never });
    find.push(performance.now() - t);
    t = performance.now();
    await col.updateOne({ _id: key as never }, { $set: { updatedAt: new Date() } } as never);
    update.push(performance.now() - t);
  }
  return { findMs: median(find), updateMs: median(update) };
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
    const keys = await insertChats(core, sourceIds, size, SOURCES_PER_CHAT);
    const insertMs = performance.now() - f1;
    const chats = new ChatStore(core.db.models);
    const deliveries = new DeliveryStore(core.db.models);
    await checkChatsReadable(chats, keys);
    const before = await probe(core, keys);

    const acc = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
    timeMethod(chats, 'get', 'chat_get', acc);
    timeMethod(chats, 'markDigest', 'mark_digest', acc);
    timeMethod(deliveries, 'create', 'delivery_create', acc);
    timeMethod(core.stores.articles, 'getMany', 'articles_getMany', acc);
    const queue: DeliveryQueuePort = { enqueue: (ref) => queues.enqueue(ref) };
    timeMethod(queue, 'enqueue', 'enqueue', acc);
    const digests = new DigestService({
      chats,
      deliveries,
      journal: core.journal,
      articles: core.stores.articles,
      sourceNames: () => core.core.headlines.sourceNames(),
      queue,
      firstLookbackMs: config.FIRST_DIGEST_LOOKBACK,
    });
    timeMethod(digests, 'select', 'select', acc);

    const outcomes = new Map<string, number>();
    // Chat-count checkpoints: wall time when every 10% of the size was built.
    const marks: string[] = [];
    let built = 0;
    collectGarbage();
    const sampler = new RssSampler().start(100);
    const rssStart = process.memoryUsage().rss;
    const t0 = performance.now();
    await pool(
      keys,
      CONCURRENCY,
      async (key) => {
        const o = await digests.runNow(key);
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
        built++;
        if (built % Math.max(1, Math.floor(size / 10)) === 0)
          marks.push(`${built}@${round((performance.now() - t0) / 1000, 1)}s`);
      },
      () => performance.now() - t0 > BUDGET_MS,
    );
    const wallMs = performance.now() - t0;
    const peak = sampler.stop();
    const after = await probe(core, keys);
    const complete = built === size;
    const perChat = (ms: number) => round(ms / Math.max(1, built), 2);
    const summed = PHASES.reduce((s, p) => s + (p === 'articles_getMany' ? 0 : acc[p]), 0);
    const out: Record<string, number | string> = {
      [`n${size}_chats_built`]: built,
      [`n${size}_complete`]: complete ? 'yes' : `no (budget ${BUDGET_MS / 1000} s)`,
      [`n${size}_wall_s`]: round(wallMs / 1000, 1),
      [`n${size}_wall_s_full_extrapolated`]: round(((wallMs / Math.max(1, built)) * size) / 1000, 1),
      [`n${size}_chats_per_s`]: round((built / wallMs) * 1000, 1),
      [`n${size}_peak_rss_mb`]: mb(peak),
      [`n${size}_rss_growth_mb`]: mb(peak - rssStart),
      [`n${size}_outcomes`]: [...outcomes].map(([o, n]) => `${o}:${n}`).join(' '),
      [`n${size}_progress`]: marks.join(' ') || '-',
      [`n${size}_fixture_s`]: round((f1 - f0) / 1000, 1),
      [`n${size}_chat_insertMany_s`]: round(insertMs / 1000, 1),
    };
    for (const p of PHASES) {
      out[`n${size}_${p}_ms_per_chat`] = perChat(acc[p]);
      if (p !== 'articles_getMany') out[`n${size}_${p}_share`] = round(acc[p] / summed, 3);
    }
    out[`n${size}_probe_findOne_id_ms`] = round(before.findMs, 2);
    out[`n${size}_probe_updateOne_id_ms`] = round(before.updateMs, 2);
    out[`n${size}_probe_updateOne_id_ms_after`] = round(after.updateMs, 2);
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
    concurrency: CONCURRENCY,
    sender: 'none (no deliver workers; deliver jobs only enqueued)',
    phase_note: 'ms_per_chat = summed latency over 8 lanes / chats; select includes articles_getMany',
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
