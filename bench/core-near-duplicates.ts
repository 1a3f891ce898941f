/**
 * Near-duplicate look-up and index memory at 100,000 articles, without a database: generated
 * entries (bench/lib/gen.ts, recombined seed headlines in both scripts) go through buildArticle,
 * then, one by one as IngestService.store does, `SearchIndex.findCluster(indexEntryOf(a))` and
 * `add`. Articles are stored over seven days (about 14,000 a day), from 20 sources.
 *
 * Memory: the index is rebuilt from the entries' JSON (as a process loading the search journal
 * does) twice, once with the headline keys (`h`) and once without (the entry shape before
 * verification), and the heap each takes is divided by the number of entries.
 */
import { buildArticle } from '../src/ingest/article-builder.ts';
import { type IndexEntry, indexEntryOf, SearchIndex } from '../src/store/search-index.ts';
import { entry, rng } from './lib/gen.ts';
import { collectGarbage, median, percentile, round, since } from './lib/stats.ts';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000);
const SOURCES = 20;
const SPAN_MS = 7 * 24 * 3600_000;

function heapOfIndex(json: string): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const index = new SearchIndex();
  index.add(JSON.parse(json) as IndexEntry[]);
  collectGarbage();
  const used = process.memoryUsage().heapUsed - before;
  if (index.size === 0) throw new Error('empty index');
  return used;
}

export async function run(): Promise<Record<string, number | string>> {
  const r = rng(20251203);
  const start = Date.UTC(2025, 7, 23, 0, 0, 0);
  const t0 = performance.now();
  const articles = Array.from({ length: ARTICLES }, (_, n) => {
    const s = n % SOURCES;
    const built = buildArticle(
      entry(r, s, n),
      `source${s}`,
      `https://news${s}.example.cn/rss.xml`,
      new Date(start),
    );
    if (!built) throw new Error(`entry ${n} built nothing`);
    built.article.fetchedAt = new Date(start + Math.floor((n / ARTICLES) * SPAN_MS));
    return built.article;
  });
  const buildMs = since(t0);

  const index = new SearchIndex();
  const lookups: number[] = [];
  let joined = 0;
  for (const a of articles) {
    const e = indexEntryOf(a);
    const s = performance.now();
    const cluster = index.findCluster(e);
    lookups.push(since(s));
    if (cluster !== null) joined++;
    a.clusterId = cluster ?? a.id;
    index.add([{ ...e, c: a.clusterId }]);
  }
  const total = lookups.reduce((x, y) => x + y, 0);

  const withKeys = articles.map(indexEntryOf);
  const withoutKeys = withKeys.map(({ h: _h, ...rest }) => rest);
  const jsonWith = JSON.stringify(withKeys);
  const jsonWithout = JSON.stringify(withoutKeys);
  const heapWith = median([heapOfIndex(jsonWith), heapOfIndex(jsonWith), heapOfIndex(jsonWith)]);
  const heapWithout = median([heapOfIndex(jsonWithout), heapOfIndex(jsonWithout), heapOfIndex(jsonWithout)]);
  const keyChars = withKeys.reduce((n, e) => n + (e.h?.length ?? 0), 0);

  return {
    articles: ARTICLES,
    build_s: round(buildMs / 1000, 1),
    lookup_total_s: round(total / 1000, 2),
    lookup_us_mean: round((total / ARTICLES) * 1000, 1),
    lookup_us_p50: round(percentile(lookups, 50) * 1000, 1),
    lookup_us_p99: round(percentile(lookups, 99) * 1000, 1),
    lookup_ms_max: round(Math.max(...lookups), 2),
    joined_a_cluster: joined,
    headline_key_chars_mean: round(keyChars / ARTICLES, 1),
    journal_bytes_per_entry_without_key: round(Buffer.byteLength(jsonWithout) / ARTICLES, 1),
    journal_bytes_per_entry_with_key: round(Buffer.byteLength(jsonWith) / ARTICLES, 1),
    index_heap_bytes_per_entry_without_key: Math.round(heapWithout / ARTICLES),
    index_heap_bytes_per_entry_with_key: Math.round(heapWith / ARTICLES),
    index_heap_mb_without_key: round(heapWithout / 1048576, 1),
    index_heap_mb_with_key: round(heapWith / 1048576, 1),
  };
}
