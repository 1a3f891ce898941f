/**
 * One poll cycle of 10,000 sources through the real runtime (BullMQ fetch queue and worker,
 * IngestService, undici fetcher) against a local feed server in a child process: 95 % of the
 * sources answer 304 to the conditional GET, 5 % serve a small feed with one new item.
 * The sources are inserted directly with etag and `seen` state, as a previous full cycle
 * would have left them (a real first cycle of 10,000 feeds is left out: see the report).
 * All sources are on 127.0.0.1, so FETCH_PER_HOST_CONCURRENCY is raised to FETCH_CONCURRENCY.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startIngestRuntime } from '../jobs/ingest-runtime.ts';
import { createCoreInternals } from '../src/core.ts';
import { sourceIdFor } from '../src/store/source-store.ts';
import { benchConfig, benchDbName, deleteQueueKeys, silentLog } from './lib/env.ts';
import { rssText } from './lib/gen.ts';
import type { FeedPlan } from './lib/poll-plan.ts';
import { mb, RssSampler, round, since, sleep } from './lib/stats.ts';

const SOURCES = Number(process.env.BENCH_POLL_SOURCES ?? 10_000);
const CHANGED_EVERY = 20; // 1 in 20 sources (5 %) has a new item
const CONCURRENCY = 64;
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

export async function run(): Promise<Record<string, number | string>> {
  const plan = planFeeds();
  const { child, port } = await startServer(plan);
  const dbName = benchDbName('poll');
  const prefix = `bench-poll-${Date.now()}`;
  const config = benchConfig(dbName, {
    ALLOW_PRIVATE_NETWORK_FEEDS: 'true',
    FETCH_CONCURRENCY: String(CONCURRENCY),
    FETCH_PER_HOST_CONCURRENCY: String(CONCURRENCY),
    QUEUE_PREFIX: prefix,
    // The default (cores − 1) unless BENCH_PARSE_THREADS asks for another count.
    ...(process.env.BENCH_PARSE_THREADS ? { PARSE_THREADS: process.env.BENCH_PARSE_THREADS } : {}),
  });
  const core = await createCoreInternals(config, silentLog);
  try {
    const past = new Date(Date.now() - 3600_000);
    const docs = Array.from({ length: SOURCES }, (_, n) => {
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
        seen: n % CHANGED_EVERY === 0 ? plan.seen[n / CHANGED_EVERY]! : [],
        owners: [],
        createdAt: past,
      };
    });
    const tIns = performance.now();
    for (let i = 0; i < docs.length; i += 1000) {
      await core.db.models.Source.collection.insertMany(docs.slice(i, i + 1000) as never[], {
        ordered: false,
      });
    }
    const insertMs = since(tIns);

    docs.length = 0;
    const runtime = await startIngestRuntime(core.core, { scheduler: false, worker: true });
    (globalThis as { gc?: () => void }).gc?.();
    const startRss = process.memoryUsage().rss;
    let peakHeap = 0;
    const heapTimer = setInterval(() => {
      const h = process.memoryUsage();
      peakHeap = Math.max(peakHeap, h.heapUsed + h.external);
    }, 100);
    const completed: Record<string, number> = {};
    let failedJobs = 0;
    const rss = new RssSampler().start(100);
    const t0 = performance.now();
    const tick = await runtime.tick();
    const tickMs = since(t0);
    let drained = false;
    let left = 0;
    while (since(t0) < DRAIN_BUDGET_MS) {
      const c = await runtime.fetchQueue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
      );
      left =
        (c.waiting ?? 0) +
        (c.active ?? 0) +
        (c.delayed ?? 0) +
        (c.prioritized ?? 0) +
        (c['waiting-children'] ?? 0);
      if (left === 0) {
        drained = true;
        break;
      }
      await sleep(100);
    }
    const cycleMs = since(t0);
    const peak = rss.stop();
    clearInterval(heapTimer);
    const counts = await runtime.fetchQueue.getJobCounts('completed', 'failed');
    failedJobs = counts.failed ?? 0;
    for (const job of await runtime.fetchQueue.getCompleted(0, SOURCES)) {
      const status = (job.returnvalue as { status?: string } | null)?.status ?? 'none';
      completed[status] = (completed[status] ?? 0) + 1;
    }
    const served = await serverStats(child);
    const articles = await core.stores.articles.count();
    await runtime.fetchQueue.obliterate({ force: true });
    await runtime.stop();
    return {
      sources: SOURCES,
      changed_sources: plan.changed.length,
      fetch_concurrency: CONCURRENCY,
      parse_threads: core.parser.threads,
      per_host_concurrency: `${CONCURRENCY} (all sources on 127.0.0.1)`,
      source_insert_s: round(insertMs / 1000, 1),
      tick_enqueue_ms: round(tickMs),
      due: tick.due,
      enqueued: tick.enqueued,
      cycle_wall_s: round(cycleMs / 1000, 1),
      drained: drained ? 'yes' : `no: ${left} jobs left after ${DRAIN_BUDGET_MS / 1000} s`,
      sources_per_s: round((((counts.completed ?? 0) + failedJobs) / cycleMs) * 1000, 1),
      jobs_completed: counts.completed ?? 0,
      jobs_failed: failedJobs,
      outcome_not_modified: completed.not_modified ?? 0,
      outcome_ok: completed.ok ?? 0,
      outcome_failed: completed.failed ?? 0,
      server_requests: served.requests,
      server_304: served.notModified,
      new_articles_stored: articles,
      start_rss_mb: mb(startRss),
      peak_heap_mb: mb(peakHeap),
      peak_rss_mb: mb(peak),
      target: `≤ 60 s: ${cycleMs <= 60_000 && drained ? 'met' : 'MISSED'}; ≤ 300 MB: ${peak <= 300 * 1024 * 1024 ? 'met' : 'MISSED'}`,
    };
  } finally {
    await core.db.drop().catch(() => {});
    await core.core.close();
    await deleteQueueKeys(prefix);
    child.kill();
  }
}
