/**
 * One poll cycle of 10,000 sources as production runs it: a `newsrelay serve --role worker`
 * process fetches, and a `--role scheduler` process's first poll tick enqueues every due source,
 * against a local feed server in a child process: 95 % of the sources answer 304 to the
 * conditional GET, 5 % serve a small feed with one new item. The worker's peak resident memory
 * is the kernel's (VmHWM), so nothing this harness holds (the feed plan, the source documents)
 * counts in it, and no sampling can miss a peak.
 * The sources are inserted directly with etag and `seen` state (30 keys each, a typical feed),
 * as a previous full cycle would have left them (a real first cycle of 10,000 feeds is left
 * out: see the report).
 * All sources are on 127.0.0.1, so FETCH_PER_HOST_CONCURRENCY is raised to FETCH_CONCURRENCY.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE } from '../jobs/queues.ts';
import { type CoreInternals, createCoreInternals } from '../src/core.ts';
import { sourceIdFor } from '../src/store/source-store.ts';
import { startFakeTelegram } from '../test/fakes/telegram-bot-api.ts';
import { waitFor } from '../test/fakes/wait-for.ts';
import { benchConfig, benchDbName, benchMongoUri, deleteQueueKeys, silentLog } from './lib/env.ts';
import { rssText } from './lib/gen.ts';
import type { FeedPlan } from './lib/poll-plan.ts';
import { type RoleProcess, startRole } from './lib/role-process.ts';
import { round, since, sleep } from './lib/stats.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const SOURCES = Number(process.env.BENCH_POLL_SOURCES ?? 10_000);
const CHANGED_EVERY = 20; // 1 in 20 sources (5 %) has a new item
/** Items of each unchanged feed, remembered as seen keys. */
const SEEN_PER_SOURCE = 30;
const CONCURRENCY = Number(process.env.BENCH_POLL_CONCURRENCY ?? 64);
const DRAIN_BUDGET_MS = 240_000;

/** The feed server: `/f/<n>` answers 304 to If-None-Match "v1" unless n % CHANGED_EVERY === 0. */
const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const feeds = JSON.parse(fs.readFileSync(0, 'utf8'));
let requests = 0, notModified = 0;
const server = http.createServer((req, res) => {
  requests++;
  const n = Number(req.url.slice(3));
  const body = feeds[n % ${CHANGED_EVERY} === 0 ? n / ${CHANGED_EVERY} : -1];
  const etag = body === undefined ? '"v1"' : '"v2"';
  if (req.headers['if-none-match'] === etag) { notModified++; res.writeHead(304, { etag }).end(); return; }
  const text = body ?? feeds.unchanged;
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(text);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
process.on('message', () => process.send({ requests, notModified }));
`;

/** The plan from bench/lib/poll-plan.ts, run in a child process (see there why). */
function planFeeds(): FeedPlan {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./lib/poll-plan.ts', import.meta.url)),
      String(SOURCES),
      String(CHANGED_EVERY),
    ],
    { maxBuffer: 1 << 30 },
  );
  return JSON.parse(out.toString('utf8')) as FeedPlan;
}

async function startServer(plan: FeedPlan): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit', 'ipc'] });
  const feeds: Record<string, string> = {
    unchanged: rssText('unchanged', 'https://x.example.cn/', [], 'utf-8'),
  };
  plan.changed.forEach((t, k) => {
    feeds[k] = t;
  });
  child.stdin!.end(JSON.stringify(feeds));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: (JSON.parse(line.toString()) as { port: number }).port };
}

async function serverStats(child: ChildProcess): Promise<{ requests: number; notModified: number }> {
  const reply = once(child, 'message');
  child.send('stats');
  return (await reply)[0] as { requests: number; notModified: number };
}

/** Seen keys of an unchanged source: a feed of SEEN_PER_SOURCE items, as its last fetch left them. */
function seenKeys(n: number): string[] {
  return Array.from(
    { length: SEEN_PER_SOURCE },
    (_, i) => `g:${createHash('sha256').update(`${n}/${i}`).digest('base64url').slice(0, 16)}`,
  );
}

/** Inserts the sources as a previous full cycle would have left them; returns the time taken. */
async function insertSources(core: CoreInternals, port: number, plan: FeedPlan): Promise<number> {
  const past = new Date(Date.now() - 3600_000);
  const t0 = performance.now();
  for (let i = 0; i < SOURCES; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, SOURCES - i) }, (_, k) => {
      const n = i + k;
      const url = `http://127.0.0.1:${port}/f/${n}`;
      return {
        _id: sourceIdFor(url),
        url,
        name: `源${n}`,
        kind: 'rss',
        intervalSec: 600,
        nextFetchAt: past,
        etag: '"v1"',
        lastModified: null,
        health: {
          failures: 0,
          lastFetchedAt: past,
          lastSuccessAt: past,
          lastError: null,
          disabledAt: null,
          disabledReason: null,
        },
        seen: n % CHANGED_EVERY === 0 ? plan.seen[n / CHANGED_EVERY]! : seenKeys(n),
        owners: [],
        createdAt: past,
      };
    });
    await core.db.models.Source.collection.insertMany(docs as never[], { ordered: false });
  }
  return since(t0);
}

export async function run(): Promise<Record<string, number | string>> {
  const plan = planFeeds();
  const { child, port } = await startServer(plan);
  const dbName = benchDbName('poll');
  const prefix = `bench-poll-${Date.now()}`;
  const fake = await startFakeTelegram();
  const roles: RoleProcess[] = [];
  const core = await createCoreInternals(benchConfig(dbName), silentLog);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const fetchQueue = new Queue(QUEUE.fetch, { connection, prefix });
  try {
    const insertMs = await insertSources(core, port, plan);
    const env = {
      MONGODB_URI: benchMongoUri(dbName),
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      // A worker sends deliveries too, so it runs with a platform configured, as in production.
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      LOG_LEVEL: 'warn',
      ALLOW_PRIVATE_NETWORK_FEEDS: 'true',
      FETCH_CONCURRENCY: String(CONCURRENCY),
      FETCH_PER_HOST_CONCURRENCY: String(CONCURRENCY),
      // The default (cores − 1) unless BENCH_PARSE_THREADS asks for another count.
      ...(process.env.BENCH_PARSE_THREADS ? { PARSE_THREADS: process.env.BENCH_PARSE_THREADS } : {}),
      // The default (20) unless set here, e.g. 0 to compare with V8's own heap policy.
      ...(process.env.HEAP_GROWTH_PERCENT ? { HEAP_GROWTH_PERCENT: process.env.HEAP_GROWTH_PERCENT } : {}),
    };
    const worker = await startRole('worker', env);
    roles.push(worker);
    await waitFor(() => worker.ready(), 60_000, { message: 'the worker did not become ready' });
    const workerIdle = worker.usage();
    // The scheduler's first poll tick enqueues every due source: the cycle starts with it.
    const t0 = performance.now();
    const scheduler = await startRole('scheduler', env);
    roles.push(scheduler);
    let done = 0;
    while (since(t0) < DRAIN_BUDGET_MS) {
      const c = await fetchQueue.getJobCounts('completed', 'failed');
      done = (c.completed ?? 0) + (c.failed ?? 0);
      if (done >= SOURCES) break;
      await sleep(100);
    }
    const cycleMs = since(t0);
    const w = worker.usage();
    const sch = scheduler.usage();
    const counts = await fetchQueue.getJobCounts('completed', 'failed');
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < SOURCES; i += 1000) {
      for (const job of await fetchQueue.getCompleted(i, i + 999)) {
        const status = (job.returnvalue as { status?: string } | null)?.status ?? 'none';
        outcomes[status] = (outcomes[status] ?? 0) + 1;
      }
    }
    const served = await serverStats(child);
    const articles = await core.stores.articles.count();
    const peak = w.peakMb;
    return {
      sources: SOURCES,
      changed_sources: plan.changed.length,
      seen_keys_per_unchanged_source: SEEN_PER_SOURCE,
      fetch_concurrency: CONCURRENCY,
      heap_growth_percent: process.env.HEAP_GROWTH_PERCENT ?? 'default (20)',
      per_host_concurrency: `${CONCURRENCY} (all sources on 127.0.0.1)`,
      source_insert_s: round(insertMs / 1000, 1),
      cycle_wall_s: round(cycleMs / 1000, 1),
      drained: done >= SOURCES ? 'yes' : `no: ${SOURCES - done} jobs left after ${DRAIN_BUDGET_MS / 1000} s`,
      sources_per_s: round((done / cycleMs) * 1000, 1),
      jobs_completed: counts.completed ?? 0,
      jobs_failed: counts.failed ?? 0,
      outcome_not_modified: outcomes.not_modified ?? 0,
      outcome_ok: outcomes.ok ?? 0,
      outcome_failed: outcomes.failed ?? 0,
      server_requests: served.requests,
      server_304: served.notModified,
      new_articles_stored: articles,
      worker_idle_rss_mb: round(workerIdle.rssMb, 1),
      worker_peak_rss_mb: round(peak, 1),
      worker_cpu_s: round(w.cpuSeconds - workerIdle.cpuSeconds, 1),
      scheduler_peak_rss_mb: round(sch.peakMb, 1),
      target: `≤ 60 s: ${cycleMs <= 60_000 && done >= SOURCES ? 'met' : 'MISSED'}; ≤ 300 MB: ${peak <= 300 ? 'met' : 'MISSED'}`,
    };
  } finally {
    for (const r of roles) await r.stop().catch(() => {});
    await fetchQueue.close();
    connection.disconnect();
    await core.db.drop().catch(() => {});
    await core.core.close();
    await deleteQueueKeys(prefix);
    await fake.close();
    child.kill();
  }
}
