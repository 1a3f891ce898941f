/**
 * The search index at archive sizes (BENCH_INDEX_SIZES, default 100,000 and 1,000,000 articles).
 * Building a million articles through ingest and FerretDB (~800 articles/s here) would take over
 * 20 minutes per run, so the entries are generated the way ingest makes them (realistic Chinese
 * headlines from the corpus generator, 35 % Traditional; `indexTerms`, `fingerprint`,
 * `headlineKey`) and packed and deflated into journal segments of 20,000 entries, as compaction
 * writes them.
 * Per size it reports:
 * - fold: parsing every segment (packed, as compaction writes them) and adding it to a fresh
 *   `SearchIndex` — what a cold start does after reading the segments;
 * - cold start: the same segments stored in FerretDB and read by a new `SearchJournal` — the
 *   database read and the fold together;
 * - index memory: heap, typed-array buffers (held outside the heap) and resident set after a full
 *   collection, before and after the fold, and the bytes per article heap and buffers imply;
 * - search: p50 / p95 of the core-search query mix through `queryAlternatives` (regional
 *   variants included), newest 10 first, as `/search` asks;
 * - renumber: eight days later, the `expire()` that forgets a quarter of the archive and
 *   renumbers the index without it — one synchronous step, a pause for the process's event loop.
 */

import { articleIdFor } from '../src/ingest/article-builder.ts';
import { openDatabase } from '../src/store/database.ts';
import { compressEntries, decompressColumns } from '../src/store/packed-entries.ts';
import { type IndexEntry, SearchIndex } from '../src/store/search-index.ts';
import { SearchJournal } from '../src/store/search-journal.ts';
import { fingerprint } from '../src/text/fingerprint.ts';
import { headlineKey } from '../src/text/headline-key.ts';
import { indexTerms, queryAlternatives } from '../src/text/index-terms.ts';
import { benchDbName, benchMongoUri } from './lib/env.ts';
import { headline, rng } from './lib/gen.ts';
import { queryMix } from './lib/queries.ts';
import { collectGarbage, mb, percentile, round } from './lib/stats.ts';

const SIZES = (process.env.BENCH_INDEX_SIZES ?? '100000,1000000').split(',').map(Number);
const SEGMENT = 20_000;
const SOURCES = 200;
const QUERIES = 300;
const DAY = 86_400_000;

/** Journal segments (packed, as compaction writes them) for `n` articles over the last 30 days. */
function segments(n: number): { segments: Buffer[]; generateMs: number } {
  const r = rng(20261203);
  const now = Date.now();
  const out: Buffer[] = [];
  const t0 = performance.now();
  for (let from = 0; from < n; from += SEGMENT) {
    const batch: IndexEntry[] = [];
    for (let k = from; k < Math.min(n, from + SEGMENT); k++) {
      const title = headline(r);
      const f = now - Math.floor(((n - k) / n) * 30 * DAY);
      const id = articleIdFor(`https://news${k % SOURCES}.example/article/${k}`);
      batch.push({
        i: id,
        s: `src${k % SOURCES}`,
        p: f - Math.floor(r() * 3_600_000),
        f,
        fp: fingerprint(title),
        c: id,
        t: indexTerms(title),
        q: Math.floor(k / 50) + 1,
        h: headlineKey(title),
      });
    }
    out.push(compressEntries(batch, 0));
  }
  return { segments: out, generateMs: performance.now() - t0 };
}

/** Heap, typed-array buffers (outside the heap) and resident set after full collections. */
function memory(): { heap: number; buffers: number; rss: number } {
  collectGarbage();
  collectGarbage();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers, rss: m.rss };
}

async function measure(n: number): Promise<Record<string, number | string>> {
  const { segments: segs, generateMs } = segments(n);
  const before = memory();
  const t0 = performance.now();
  let parseMs = 0;
  let clock = Date.now();
  let index: SearchIndex | null = new SearchIndex({ retentionMs: 30 * DAY + 3_600_000, now: () => clock });
  for (const s of segs) {
    const p0 = performance.now();
    const columns = decompressColumns(s);
    parseMs += performance.now() - p0;
    index.addColumns(columns);
  }
  const foldMs = performance.now() - t0;
  const after = memory();
  const times: number[] = [];
  let hits = 0;
  for (const { q } of queryMix(QUERIES)) {
    const t = performance.now();
    hits += index.search({ anyOf: queryAlternatives(q) }, { limit: 10 }).length;
    times.push(performance.now() - t);
  }
  clock += 8 * DAY;
  const r0 = performance.now();
  index.expire();
  const renumberMs = performance.now() - r0;
  const kept = index.size;
  index = null;
  collectGarbage();
  const cold = await coldStart(segs);
  const out = {
    [`n${n}_generate_s`]: round(generateMs / 1000, 1),
    [`n${n}_fold_s`]: round(foldMs / 1000, 1),
    [`n${n}_fold_parse_s`]: round(parseMs / 1000, 1),
    [`n${n}_segments_mb`]: mb(segs.reduce((sum, x) => sum + x.length, 0)),
    [`n${n}_cold_start_s`]: round(cold.ms / 1000, 1),
    [`n${n}_cold_start_articles`]: cold.articles,
    [`n${n}_index_heap_mb`]: mb(after.heap - before.heap),
    [`n${n}_index_rss_mb`]: mb(after.rss - before.rss),
    [`n${n}_process_rss_mb`]: mb(after.rss),
    [`n${n}_index_buffers_mb`]: mb(after.buffers - before.buffers),
    [`n${n}_bytes_per_article`]: Math.round((after.heap + after.buffers - before.heap - before.buffers) / n),
    [`n${n}_search_p50_ms`]: round(percentile(times, 50), 2),
    [`n${n}_search_p95_ms`]: round(percentile(times, 95), 2),
    [`n${n}_search_max_ms`]: round(Math.max(...times), 2),
    [`n${n}_hits_returned`]: hits,
    [`n${n}_renumber_ms`]: Math.round(renumberMs),
    [`n${n}_renumber_kept`]: kept,
  };
  segs.length = 0;
  collectGarbage();
  return out;
}

/**
 * A starting process's read of the archive: the segments stored in a FerretDB database as
 * compaction writes them, read by a new `SearchJournal` into a new index (connect excluded).
 */
async function coldStart(segs: readonly Buffer[]): Promise<{ ms: number; articles: number }> {
  const db = await openDatabase(benchMongoUri(benchDbName('archive')));
  try {
    for (const [k, packed] of segs.entries()) {
      await db.models.Segment.collection.insertOne({
        _id: `s${(k + 1).toString().padStart(8, '0')}`,
        from: k + 1,
        to: k + 1,
        last: Date.now(),
        packed,
      } as never);
    }
    await db.models.Counter.collection.insertOne({
      _id: 'segments',
      n: segs.length,
      to: segs.length,
    } as never);
    collectGarbage();
    const t0 = performance.now();
    const journal = new SearchJournal(db.models, new SearchIndex({ retentionMs: 30 * DAY + 3_600_000 }));
    await journal.refresh();
    return { ms: performance.now() - t0, articles: journal.index.size };
  } finally {
    await db.drop();
    await db.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const result: Record<string, number | string> = {
    sizes: SIZES.join(','),
    queries: QUERIES,
    note: 'fold = inflate + decode (format 3: binary columns) + SearchIndex.addColumns of every segment in memory; cold start = the same segments read from FerretDB by a new SearchJournal',
  };
  for (const n of SIZES) Object.assign(result, await measure(n));
  return result;
}
