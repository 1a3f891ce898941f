/**
 * Headline search at 100,000 articles: `headlines.query({ query, limit: 20 })` latency in a
 * fresh core (a second createCore on the corpus database, whose journal it must first load)
 * beside the `$regex` title scan of `articles.regexSearch` as the reference.
 * Reuses the database core-ingest left in this process, or builds the corpus itself.
 */
import { createCoreInternals } from '../src/core.ts';
import { buildCorpus, dropDatabase, takeCorpus } from './lib/corpus.ts';
import { benchConfig, silentLog } from './lib/env.ts';
import { queryMix } from './lib/queries.ts';
import { collectGarbage, mb, percentile, RssSampler, round, since } from './lib/stats.ts';

const QUERIES = 200;
const WARMUP = 5;
const REGEX_QUERIES = 20;
const REGEX_BUDGET_MS = 60_000;
/** The query loop stops after this long and reports the queries it ran. */
const QUERY_BUDGET_MS = 120_000;

export async function run(): Promise<Record<string, number | string>> {
  const rss = new RssSampler().start();
  let corpus = takeCorpus();
  let reused = 'reused core-ingest database';
  if (!corpus) {
    const built = await buildCorpus();
    await built.core.core.close();
    corpus = built.stats;
    reused = 'built here (core-ingest did not run first)';
  }
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  try {
    const t0 = performance.now();
    const core = await createCoreInternals(benchConfig(corpus.dbName), silentLog);
    const connectMs = since(t0);
    const t1 = performance.now();
    await core.core.headlines.refresh(true);
    const loadMs = since(t1);
    collectGarbage();
    const heapIndex = process.memoryUsage().heapUsed - heapBefore;
    try {
      // Single characters are index terms too, so they are measured at every size.
      const singleChar = true;
      const mix = queryMix(QUERIES, singleChar);
      for (const { q } of queryMix(WARMUP, false)) await core.core.headlines.query({ query: q, limit: 20 });
      const byCategory = new Map<string, number[]>();
      const all: number[] = [];
      const hitCounts = new Map<string, number>();
      const loopStart = performance.now();
      for (const { category, q } of mix) {
        if (since(loopStart) > QUERY_BUDGET_MS) break;
        const s = performance.now();
        const page = await core.core.headlines.query({ query: q, limit: 20 });
        const ms = since(s);
        all.push(ms);
        const list = byCategory.get(category) ?? [];
        list.push(ms);
        byCategory.set(category, list);
        hitCounts.set(q, page.total);
      }
      const regex: number[] = [];
      const regexStart = performance.now();
      for (const { q } of queryMix(REGEX_QUERIES, false)) {
        if (since(regexStart) > REGEX_BUDGET_MS) break;
        const s = performance.now();
        await core.stores.articles.regexSearch(q, 20);
        regex.push(since(s));
      }
      const termQueries = [...byCategory].filter(([c]) => c !== 'single_char').flatMap(([, ms]) => ms);
      const p95 = percentile(termQueries, 95);
      const regexP95 = percentile(regex, 95);
      const result: Record<string, number | string> = {
        corpus: reused,
        articles: corpus.articles,
        index_size: core.journal.index.size,
        journal_batches: core.journal.readPosition,
        cold_start_connect_ms: round(connectMs, 1),
        cold_start_journal_load_ms: round(loadMs, 1),
        index_heap_mb: mb(heapIndex),
        queries_run: all.length,
        queries_planned: mix.length,
        index_p50_ms: round(percentile(termQueries, 50)),
        index_p95_ms: round(p95),
        index_all_incl_single_char_p95_ms: round(percentile(all, 95)),
        index_max_ms: round(Math.max(...all)),
      };
      for (const [category, ms] of byCategory) {
        result[`${category}_p50_ms`] = round(percentile(ms, 50));
        result[`${category}_p95_ms`] = round(percentile(ms, 95));
      }
      result.hits_example = ['上海', '林郑月娥', '上海 峰会', '經濟', '港']
        .map((q) => `${q}=${hitCounts.get(q) ?? '?'}`)
        .join(' ');
      Object.assign(result, {
        regex_queries: regex.length,
        regex_p50_ms: round(percentile(regex, 50)),
        regex_p95_ms: round(regexP95),
        speedup_p95_regex_over_index: round(regexP95 / p95, 1),
        peak_rss_mb: mb(rss.stop()),
      });
      return result;
    } finally {
      await core.core.close();
    }
  } finally {
    rss.stop();
    await dropDatabase(corpus.dbName);
  }
}
