/**
 * Digest fan-out to 10,000 subscribed Telegram chats against the fake Bot API enforcing a global
 * limit L (sliding one-second window; over it answers 429 with retry_after).
 *
 * Set-up (real code paths): 50 sources, 2,000 articles stored through ArticleStore + SearchJournal,
 * 10,000 private chats bulk-inserted in ChatStore's document shape (3 sources each, all with a
 * digest at 08:00 Asia/Shanghai), then `DigestService.runGroup` for that minute (the job the
 * group's scheduler fires) with no workers running: it records the deliveries in MongoDB and
 * enqueues the BullMQ deliver jobs, 250 chats per round of writes.
 * The build is timed but is not part of the send rate.
 *
 * Then one backlog of 10,000 queued digests is drained in two phases, by the real deliver worker
 * (BullMQ limiter + Redis chat gate + DeliveryService + the telegraf sender) talking HTTP to the
 * fake, which runs in a child process:
 *  1. L = 30/s (TELEGRAM_GLOBAL_RATE=30, default): workers run 65 s; steady state = seconds 5–65.
 *     A realistic minute: ~1,800 of the 10,000 chats, which is all a 30/s bot can do.
 *  2. L = 1000/s (TELEGRAM_GLOBAL_RATE=1000, TELEGRAM_PAID_BROADCAST=true): a new runtime on the
 *     same queue drains the rest; steady state = from 1 s after its first send to 1 s before
 *     its last.
 * Achieved rate and 429s are measured client-side (a wrapper around the real PlatformSender
 * records each successful sendMessage and each 429). Duplicates / lost compare, per chat, the
 * fake's accepted sendMessage calls with the parts the chat's delivery renders to, and with the
 * part markers DeliveryStore recorded in MongoDB. Database and Redis prefix are unique and
 * removed afterwards.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { createTelegramAdapter } from '../adapters/telegram/index.ts';
import {
  createDeliveryPorts,
  type DeliveryPorts,
  type DeliveryRuntime,
  startDeliveryRuntime,
} from '../jobs/delivery-runtime.ts';
import { createRedis } from '../jobs/queues.ts';
import type { Config } from '../src/config/config.ts';
import { type CoreInternals, createCoreInternals } from '../src/core.ts';
import type { PlatformSender } from '../src/delivery/platform-sender.ts';
import { DeliveryError } from '../src/errors.ts';
import { DeliveryStore, messageOf, type StoredMessage } from '../src/store/delivery-store.ts';
import { benchConfig, benchDbName, deleteQueueKeys, silentLog } from './lib/env.ts';
import { benchHeap } from './lib/heap-policy.ts';
import { round, sleep } from './lib/stats.ts';
import { type FakeProcess, startFakeTelegramProcess } from './lib/telegram-fake-child.ts';
import { addArticles, addSources, checkChatsReadable, insertChats } from './lib/telegram-fixture.ts';

const CHATS = Number(process.env.BENCH_TG_CHATS ?? 10_000);
const SOURCES = 50;
const ARTICLES = 2000;
const SOURCES_PER_CHAT = 3;
const SLOW_RATE = 30;
const FAST_RATE = 1000;
const SLOW_RUN_MS = Number(process.env.BENCH_TG_SLOW_MS ?? 65_000);
const SLOW_WARMUP_MS = 5000;
const FAST_DEADLINE_MS = Number(process.env.BENCH_TG_FAST_DEADLINE_MS ?? 300_000);

interface SendLog {
  ok: number[];
  rateLimited: number[];
  other: number;
}

/** The real sender, with each successful send and each 429 timestamped (client side). */
function recording(inner: PlatformSender, log: SendLog): PlatformSender {
  return {
    platform: inner.platform,
    partCount: (chat, msg) => inner.partCount(chat, msg),
    async sendPart(chat, msg, part) {
      try {
        await inner.sendPart(chat, msg, part);
        log.ok.push(performance.now());
      } catch (err) {
        if (err instanceof DeliveryError && err.retryAfterMs !== undefined)
          log.rateLimited.push(performance.now());
        else log.other++;
        throw err;
      }
    },
  };
}

/** A Telegram sender for `config` that records every send in `log`. */
function recordingSender(core: CoreInternals, config: Config, log: SendLog) {
  return recording(createTelegramAdapter({ core: core.core, config }).sender, log);
}

/** Digest and deliver workers for `config`'s rates (no start-up rebuild). */
function startWorkers(
  core: CoreInternals,
  config: Config,
  ports: DeliveryPorts,
  sender: ReturnType<typeof recording>,
) {
  return startDeliveryRuntime({
    core: core.core,
    config,
    ports,
    connection: ports.connection,
    senders: [sender],
    workers: true,
    sweep: false,
    // As `serve` runs them: group builds and sends under the process's heap policy's bulk work.
    bulkWork: benchHeap.relaxed.bind(benchHeap),
  });
}

/** Redis's `used_memory` in bytes. */
async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

const inWindow = (ts: readonly number[], from: number, to: number) =>
  ts.filter((t) => t >= from && t < to).length;

let state: {
  core: CoreInternals;
  fake: FakeProcess;
  prefix: string;
  ports: DeliveryPorts;
  runtime: DeliveryRuntime | null;
} | null = null;

export async function run(): Promise<Record<string, number | string>> {
  const fake = await startFakeTelegramProcess();
  const dbName = benchDbName('tgfanout');
  const prefix = `bench-tgfanout-${Date.now()}`;
  const env = {
    QUEUE_PREFIX: prefix,
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
  };
  const slowConfig = benchConfig(dbName, { ...env, TELEGRAM_GLOBAL_RATE: String(SLOW_RATE) });
  const fastConfig = benchConfig(dbName, {
    ...env,
    TELEGRAM_GLOBAL_RATE: String(FAST_RATE),
    TELEGRAM_PAID_BROADCAST: 'true',
  });
  const ports = createDeliveryPorts(createRedis(slowConfig.REDIS_URL), prefix);
  const core = await createCoreInternals(slowConfig, silentLog, {
    schedules: ports.schedules,
    deliveryQueue: ports.deliveries,
  });
  state = { core, fake, prefix, ports, runtime: null };

  // --- fixture
  const t0 = performance.now();
  const sourceIds = await addSources(core, SOURCES);
  const articles = await addArticles(core, sourceIds, ARTICLES);
  const chatKeys = await insertChats(core, sourceIds, CHATS, SOURCES_PER_CHAT);
  const fixtureMs = performance.now() - t0;

  // --- build every digest (records deliveries, enqueues deliver jobs); no workers yet
  const slowLog: SendLog = { ok: [], rateLimited: [], other: 0 };
  const slow = { sender: recordingSender(core, slowConfig, slowLog) };
  await checkChatsReadable(core.core.chats, chatKeys);
  const redisBefore = await usedMemory(ports.connection);
  const t1 = performance.now();
  const tally = await core.core.digests.runGroup(
    '08:00',
    'Asia/Shanghai',
    Math.floor(Date.now() / 60_000) * 60_000,
  );
  const buildMs = performance.now() - t1;
  const queueBytes = (await usedMemory(ports.connection)) - redisBefore;
  const queued = tally.queued;

  // Parts each chat should receive, from the recorded deliveries (one scan).
  const expected = new Map<string, number>();
  const docs = (await core.db.models.Delivery.collection
    .find({ status: 'pending' })
    .toArray()) as unknown as Array<{ chatKey: string; message: StoredMessage }>;
  for (const d of docs) {
    const chatId = d.chatKey.slice('telegram:'.length);
    const message = messageOf(d.message);
    expected.set(chatId, (expected.get(chatId) ?? 0) + slow.sender.partCount(null as never, message));
  }
  const totalParts = [...expected.values()].reduce((a, b) => a + b, 0);

  // --- phase 1: L = 30/s for 65 s
  await fake.setRateLimit(SLOW_RATE);
  const p1 = performance.now();
  state.runtime = await startWorkers(core, slowConfig, ports, slow.sender);
  await sleep(SLOW_RUN_MS);
  await state.runtime.stop();
  state.runtime = null;
  const p1End = performance.now();
  const slowSteadyMs = SLOW_RUN_MS - SLOW_WARMUP_MS;
  const slowSteadySent = inWindow(slowLog.ok, p1 + SLOW_WARMUP_MS, p1 + SLOW_RUN_MS);
  const slowSteady429 = inWindow(slowLog.rateLimited, p1 + SLOW_WARMUP_MS, p1 + SLOW_RUN_MS);
  const slowFirst60 = inWindow(slowLog.ok, p1, p1 + 60_000);

  // --- phase 2: L = 1000/s (paid broadcast) drains the rest
  const fastLog: SendLog = { ok: [], rateLimited: [], other: 0 };
  const fast = { sender: recordingSender(core, fastConfig, fastLog) };
  await fake.setRateLimit(FAST_RATE);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpu2 = process.cpuUsage();
  const p2 = performance.now();
  state.runtime = await startWorkers(core, fastConfig, ports, fast.sender);
  const remaining = totalParts - slowLog.ok.length;
  while (fastLog.ok.length < remaining && performance.now() - p2 < FAST_DEADLINE_MS) await sleep(200);
  const drained = fastLog.ok.length >= remaining;
  const fastCpu = process.cpuUsage(cpu2);
  loopDelay.disable();
  await sleep(1000); // anything doubled would show up now
  await state.runtime.stop();
  state.runtime = null;
  const first = fastLog.ok[0] ?? p2;
  const last = fastLog.ok[fastLog.ok.length - 1] ?? p2;
  const steadyFrom = first + 1000;
  const steadyTo = Math.max(steadyFrom, last - 1000);
  const fastSteadySent = inWindow(fastLog.ok, steadyFrom, steadyTo);
  const fastSteadyMs = steadyTo - steadyFrom;
  const fastSteady429 = inWindow(fastLog.rateLimited, steadyFrom, steadyTo);
  const fastRate = fastSteadyMs > 0 ? (fastSteadySent / fastSteadyMs) * 1000 : Number.NaN;
  // Busiest / quietest whole second of the fast phase (shows burstiness).
  const perSecond: number[] = [];
  for (let s = steadyFrom; s + 1000 <= steadyTo; s += 1000) perSecond.push(inWindow(fastLog.ok, s, s + 1000));

  // --- verification: the fake's accepted messages vs MongoDB
  const report = await fake.report();
  const recorded = await new DeliveryStore(core.db.models).sentParts();
  const recordedPerChat = new Map<string, number>();
  for (const [id, n] of recorded) {
    const chatId = id.slice('telegram:'.length, id.indexOf('|'));
    recordedPerChat.set(chatId, (recordedPerChat.get(chatId) ?? 0) + n);
  }
  let duplicates = 0;
  let lost = 0;
  let mongoMismatch = 0;
  let unexpectedChats = 0;
  for (const [chatId, want] of expected) {
    const got = report.perChat[chatId] ?? 0;
    if (got > want) duplicates += got - want;
    if (got < want) lost += want - got;
    if ((recordedPerChat.get(chatId) ?? 0) !== got) mongoMismatch++;
  }
  for (const chatId of Object.keys(report.perChat)) if (!expected.has(chatId)) unexpectedChats++;
  const distinctChats = Object.keys(report.perChat).length;

  return {
    chats: CHATS,
    sources: SOURCES,
    articles_stored: articles,
    fixture_s: round(fixtureMs / 1000, 1),
    digests_queued: queued,
    digests_other:
      Object.entries(tally)
        .filter(([o, n]) => o !== 'queued' && n > 0)
        .map(([o, n]) => `${o}:${n}`)
        .join(' ') || '-',
    digest_build_s: round(buildMs / 1000, 1),
    digest_build_per_s: round((CHATS / buildMs) * 1000, 1),
    // What Redis holds for the queued broadcast, per digest (jobs carry their messages).
    queue_redis_kb_per_digest: round(queueBytes / 1024 / Math.max(1, queued), 2),
    parts_total: totalParts,
    parts_per_digest: round(totalParts / Math.max(1, queued), 2),
    l30_run_s: SLOW_RUN_MS / 1000,
    l30_sent_first_60s: slowFirst60,
    l30_steady_rate_per_s: round((slowSteadySent / slowSteadyMs) * 1000, 2),
    l30_rate_over_L: round(((slowSteadySent / slowSteadyMs) * 1000) / SLOW_RATE, 3),
    l30_429_steady: slowSteady429,
    l30_429_total: slowLog.rateLimited.length,
    l30_phase_s: round((p1End - p1) / 1000, 1),
    l1000_sent: fastLog.ok.length,
    l1000_drained: drained ? 'yes' : `no (deadline ${FAST_DEADLINE_MS / 1000} s)`,
    l1000_phase_s: round((last - p2) / 1000, 1),
    l1000_steady_window_s: round(fastSteadyMs / 1000, 1),
    l1000_steady_rate_per_s: round(fastRate, 1),
    l1000_rate_over_L: round(fastRate / FAST_RATE, 3),
    l1000_busiest_second: perSecond.length ? Math.max(...perSecond) : Number.NaN,
    l1000_quietest_second: perSecond.length ? Math.min(...perSecond) : Number.NaN,
    l1000_seconds: perSecond.join(' '),
    // This process's CPU (workers and the bench's own bookkeeping) per message sent, and how late
    // its event loop ran at the 99th percentile: a late loop sends late, missing its slots.
    l1000_cpu_ms_per_msg: round((fastCpu.user + fastCpu.system) / 1000 / Math.max(1, fastLog.ok.length), 3),
    l1000_loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 1),
    l1000_429_steady: fastSteady429,
    l1000_429_total: fastLog.rateLimited.length,
    other_send_errors: slowLog.other + fastLog.other,
    fake_sendMessage_calls: report.sendMessageCalls,
    fake_accepted: report.accepted,
    fake_distinct_chats: distinctChats,
    duplicates,
    lost,
    unexpected_chats: unexpectedChats,
    chats_fake_vs_mongo_mismatch: mongoMismatch,
    deliver_worker_concurrency: `${Math.min(200, Math.max(8, Math.ceil(SLOW_RATE / 5)))} at L=30, ${Math.min(200, Math.max(8, Math.ceil(FAST_RATE / 5)))} at L=1000`,
  };
}

export async function cleanup(): Promise<void> {
  const s = state;
  state = null;
  if (!s) return;
  if (s.runtime) await s.runtime.stop().catch(() => {});
  await s.ports.close().catch(() => {});
  await s.ports.connection.quit().catch(() => {});
  await s.core.db.drop();
  await s.core.core.close();
  await deleteQueueKeys(s.prefix);
  await s.fake.close();
}
