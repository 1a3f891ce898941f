/**
 * Hostile input: the worst documents of the hostile corpus (test/hostile/), each read three
 * times through the parse pool as ingest and `sources add` read them. Reports each document's
 * median wall time and outcome, the worst one, the peak RSS of the process (parse workers
 * included) and the longest main-thread stall seen meanwhile (beside the stall of an idle
 * event loop over 5 s, the floor on a shared machine); the main-thread stall the same
 * bounded document costs when read on the main thread, as it was before the pool; and the
 * pipeline's items/s through the pool (20 generated feeds of 100 items, all at once).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NewsrelayError } from '../src/errors.ts';
import { type DocumentJob, runDocumentJob } from '../src/ingest/document-job.ts';
import { ParsePool } from '../src/ingest/parse-pool.ts';
import { chineseFeed, compactFeed, flatEntityBomb } from '../test/hostile/documents.ts';
import { FEEDS, generateFeeds, ITEMS } from './lib/pipeline-feeds.ts';
import { collectGarbage, mb, median, RssSampler, round, sleep } from './lib/stats.ts';

const RUNS = 3;

interface HostileDoc {
  name: string;
  type: string;
  body: () => Buffer;
}

const DOCS: HostileDoc[] = [
  { name: 'entity_flat_200k', type: 'application/rss+xml', body: () => Buffer.from(flatEntityBomb(200_000)) },
  {
    name: 'billion_laughs',
    type: 'application/rss+xml',
    body: () => readFileSync(new URL('../test/hostile/fixtures/billion-laughs.xml', import.meta.url)),
  },
  { name: 'rss_100k_items', type: 'application/rss+xml', body: () => Buffer.from(compactFeed(100_000, 'b')) },
  {
    name: 'rss_10mb_chinese',
    type: 'application/rss+xml',
    body: () => Buffer.from(chineseFeed(45_000, 'c')),
  },
  {
    name: 'rss_truncated_utf8',
    type: 'application/rss+xml; charset=utf-8',
    body: () => {
      const full = Buffer.from(chineseFeed(40_000, 't'));
      return Buffer.concat([
        full.subarray(0, Math.floor(full.length * 0.9)),
        Buffer.from([0xff, 0xfe, 0x81]),
      ]);
    },
  },
  {
    name: 'title_9mb',
    type: 'application/rss+xml',
    body: () =>
      Buffer.from(
        `<rss><channel><item><title>${'长'.repeat(3_000_000)}</title><link>https://x.cn/1</link></item></channel></rss>`,
      ),
  },
  {
    name: 'xml_depth_100k',
    type: 'application/rss+xml',
    body: () => Buffer.from(`<rss><channel>${'<x>'.repeat(100_000)}</channel></rss>`),
  },
  {
    name: 'xml_unmatched_closers',
    type: 'application/rss+xml',
    body: () =>
      Buffer.from(`<rss><channel>${'<x>'.repeat(1999)}${'</nope>'.repeat(1_000_000)}</channel></rss>`),
  },
  {
    name: 'html_20k_links_deep',
    type: 'text/html',
    body: () =>
      Buffer.from(
        `<html><body>${'<div class="w">'.repeat(1500)}<ul class="list">${Array.from(
          { length: 20_000 },
          (_, i) =>
            `<li><a href="/n/${i}">第${i}条新闻标题：某地召开重要会议部署工作</a> <span>2025-08-30</span></li>`,
        ).join('')}</ul>${'</div>'.repeat(1500)}</body></html>`,
      ),
  },
  {
    name: 'json_100k_items',
    type: 'application/feed+json',
    body: () =>
      Buffer.from(
        JSON.stringify({
          version: 'https://jsonfeed.org/version/1.1',
          items: Array.from({ length: 100_000 }, (_, i) => ({
            id: String(i),
            url: `/j/${i}`,
            title: `J${i}`,
          })),
        }),
      ),
  },
];

function jobOf(body: Buffer, type: string): DocumentJob {
  return { body, contentType: type, url: 'https://hostile.example/feed', sourceId: 'bench', now: Date.now() };
}

async function outcomeOf(read: Promise<unknown>): Promise<string> {
  try {
    const r = (await read) as { type: string; feed?: { articles: unknown[] } };
    return r.type === 'feed' ? `${r.feed?.articles.length ?? 0} articles` : r.type;
  } catch (err) {
    if (err instanceof NewsrelayError) return `refused ${err.code}`;
    throw err;
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const pool = new ParsePool();
  const result: Record<string, number | string> = {
    parse_pool_threads: pool.threads,
    load_average_1m_at_start: round(loadavg()[0] ?? 0, 1),
  };
  try {
    // What the main thread's event loop sees with nothing to do: the floor of any stall figure
    // on a shared machine (other processes' CPU time delays its timers too).
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await sleep(5000);
    idle.disable();
    result.idle_main_thread_stall_ms = round(idle.max / 1e6, 0);
    pool.warm();
    await pool.read(jobOf(Buffer.from('<rss/>'), 'application/rss+xml')).catch(() => null);
    // Built before measuring: the stall is the reader's, not the generator's.
    const bodies = DOCS.map((d) => d.body());
    collectGarbage();
    const rss = new RssSampler().start(20);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    let worst = { name: '', ms: 0 };
    loop.enable();
    for (const [k, d] of DOCS.entries()) {
      const body = bodies[k]!;
      const times: number[] = [];
      let outcome = '';
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        outcome = await outcomeOf(pool.read(jobOf(body, d.type)));
        times.push(performance.now() - t0);
      }
      const ms = median(times);
      result[`${d.name}_ms`] = round(ms, 0);
      result[`${d.name}_outcome`] = `${outcome} (${mb(body.length)} MB)`;
      if (ms > worst.ms) worst = { name: d.name, ms };
    }
    loop.disable();
    const peak = rss.stop();
    result.worst_document = worst.name;
    result.worst_document_wall_ms = round(worst.ms, 0);
    result.peak_rss_mb = mb(peak);
    result.max_main_thread_stall_ms = round(loop.max / 1e6, 0);

    // The same bounded document read on the main thread, as before the pool: the stall it was.
    const heavyAt = DOCS.findIndex((d) => d.name === 'rss_100k_items');
    const heavy = DOCS[heavyAt]!;
    const body = bodies[heavyAt]!;
    const inThread: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      runDocumentJob(jobOf(body, heavy.type));
      inThread.push(performance.now() - t0);
    }
    result.in_thread_stall_ms_rss_100k_items = round(median(inThread), 0);

    // Throughput of ordinary feeds through the pool.
    const feeds = generateFeeds();
    const rounds: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now();
      const reads = await Promise.all(
        feeds.map((f) =>
          pool.read({
            body: Buffer.from(f.bytes),
            contentType: f.contentType,
            url: f.url,
            sourceId: 'b',
            now: Date.now(),
          }),
        ),
      );
      const ms = performance.now() - t0;
      const items = reads.reduce((n, r) => n + (r.type === 'feed' ? r.feed.articles.length : 0), 0);
      if (items !== FEEDS * ITEMS) throw new Error(`built ${items} of ${FEEDS * ITEMS} items`);
      if (i >= 3) rounds.push(ms);
    }
    result.pipeline_items_per_s_off_thread = Math.round(((FEEDS * ITEMS) / median(rounds)) * 1000);
    return result;
  } finally {
    await pool.close();
  }
}
