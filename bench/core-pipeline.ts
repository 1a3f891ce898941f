/**
 * Feed pipeline without database: decode → parse → build articles (normalise, index terms,
 * fingerprint) over 20 generated RSS feeds of 100 items (UTF-8, GBK and Big5), through the parse
 * pool's worker threads as ingest and `sources add` run it (all feeds submitted at once), and,
 * for comparison, on the main thread as it ran before (with its decode / parse / build split),
 * beside rss-parser's bare `parseString` on the same feeds in UTF-8.
 */
import { loadavg } from 'node:os';
import Parser from 'rss-parser';
import { buildArticle } from '../src/ingest/article-builder.ts';
import { decodeDocument } from '../src/ingest/decode.ts';
import type { DocumentJob } from '../src/ingest/document-job.ts';
import { parseFeed } from '../src/ingest/feed-parser.ts';
import { ParsePool } from '../src/ingest/parse-pool.ts';
import { FEEDS, generateFeeds, ITEMS, type PipelineFeed } from './lib/pipeline-feeds.ts';
import { median, round } from './lib/stats.ts';

const WARMUP = 3;
const ITERATIONS = 9;

interface Timing {
  decode: number;
  parse: number;
  build: number;
  items: number;
}

function inThread(feeds: readonly PipelineFeed[], useUtf8: boolean, now: Date): Timing {
  const t: Timing = { decode: 0, parse: 0, build: 0, items: 0 };
  for (const f of feeds) {
    const t0 = performance.now();
    const doc = decodeDocument(useUtf8 ? f.utf8 : f.bytes, {
      contentType: useUtf8 ? 'application/rss+xml' : f.contentType,
    });
    const t1 = performance.now();
    const parsed = parseFeed(doc.text, { baseUrl: f.url });
    const t2 = performance.now();
    for (const e of parsed.entries) if (buildArticle(e, 'src', f.url, now)) t.items++;
    const t3 = performance.now();
    t.decode += t1 - t0;
    t.parse += t2 - t1;
    t.build += t3 - t2;
  }
  return t;
}

function job(f: PipelineFeed, now: Date): DocumentJob {
  return { body: f.bytes, contentType: f.contentType, url: f.url, sourceId: 'src', now: now.getTime() };
}

/** All feeds through the pool at once; milliseconds until the last one is built. */
async function offThread(pool: ParsePool, feeds: readonly PipelineFeed[], now: Date): Promise<number> {
  const t0 = performance.now();
  const reads = await Promise.all(feeds.map((f) => pool.read(job(f, now))));
  const ms = performance.now() - t0;
  const items = reads.reduce((n, r) => n + (r.type === 'feed' ? r.feed.articles.length : 0), 0);
  if (items !== FEEDS * ITEMS) throw new Error(`the parse pool built ${items} of ${FEEDS * ITEMS} items`);
  return ms;
}

async function rssParser(
  parser: Parser,
  feeds: readonly PipelineFeed[],
): Promise<{ ms: number; items: number }> {
  let items = 0;
  const t0 = performance.now();
  for (const f of feeds) items += (await parser.parseString(f.utf8Text)).items.length;
  return { ms: performance.now() - t0, items };
}

export async function run(): Promise<Record<string, number | string>> {
  const feeds = generateFeeds();
  const now = new Date();
  const parser = new Parser();
  const totalItems = FEEDS * ITEMS;
  const pool = new ParsePool();
  const load = loadavg()[0] ?? 0;

  // Check once that every encoded feed decodes with the charset it was written in.
  const encodings = feeds.map((f) => decodeDocument(f.bytes, { contentType: f.contentType }).encoding);
  const wrong = feeds.filter((f, i) => (f.charset === 'gbk' ? 'gb18030' : f.charset) !== encodings[i]);
  if (wrong.length > 0)
    throw new Error(`feeds decoded with the wrong charset: ${wrong.map((f) => f.url).join(', ')}`);

  try {
    for (let i = 0; i < WARMUP; i++) {
      await offThread(pool, feeds, now);
      const t = inThread(feeds, false, now);
      if (t.items !== totalItems) throw new Error(`pipeline built ${t.items} of ${totalItems} items`);
      inThread(feeds, true, now);
      await rssParser(parser, feeds);
    }
    const pooled: number[] = [];
    const mixed: Timing[] = [];
    const utf8: Timing[] = [];
    const ref: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      pooled.push(await offThread(pool, feeds, now));
      mixed.push(inThread(feeds, false, now));
      utf8.push(inThread(feeds, true, now));
      const r = await rssParser(parser, feeds);
      if (r.items !== totalItems) throw new Error(`rss-parser found ${r.items} of ${totalItems} items`);
      ref.push(r.ms);
    }
    const total = (t: Timing) => t.decode + t.parse + t.build;
    const pooledMs = median(pooled);
    const mixedMs = median(mixed.map(total));
    const utf8Ms = median(utf8.map(total));
    const refMs = median(ref);
    const perSec = (ms: number) => Math.round((totalItems / ms) * 1000);
    const bytes = feeds.reduce((s, f) => s + f.bytes.length, 0);
    return {
      load_average_1m_at_start: round(load, 1),
      feeds: FEEDS,
      items_per_iteration: totalItems,
      charsets: `${feeds.filter((f) => f.charset === 'utf-8').length} utf-8, ${feeds.filter((f) => f.charset === 'gbk').length} gbk, ${feeds.filter((f) => f.charset === 'big5').length} big5`,
      feed_bytes_total: bytes,
      iterations: ITERATIONS,
      parse_pool_threads: pool.threads,
      pipeline_items_per_s: perSec(pooledMs),
      pipeline_ms_median: round(pooledMs),
      in_thread_items_per_s: perSec(mixedMs),
      in_thread_ms_median: round(mixedMs),
      decode_ms_median: round(median(mixed.map((t) => t.decode))),
      parse_ms_median: round(median(mixed.map((t) => t.parse))),
      build_ms_median: round(median(mixed.map((t) => t.build))),
      in_thread_utf8_items_per_s: perSec(utf8Ms),
      rss_parser_items_per_s: perSec(refMs),
      rss_parser_ms_median: round(refMs),
      ratio_pipeline_vs_rss_parser: round(refMs / pooledMs, 3),
      ratio_in_thread_parse_only_vs_rss_parser: round(
        refMs / median(mixed.map((t) => t.decode + t.parse)),
        3,
      ),
    };
  } finally {
    await pool.close();
  }
}
