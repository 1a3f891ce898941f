/**
 * 100,000 articles into a fresh database through the real store path, in batches of 1,000:
 * buildArticle on generated entries, then `articles.insertNew(batch)` + `journal.append(entries)`
 * as IngestService.store does — direct, without HTTP and without the per-source `seen` update.
 * The database is left for core-search when both run in one harness process.
 */
import { buildCorpus, type CorpusStats, dropKeptCorpus, keepCorpus } from './lib/corpus.ts';
import { mb, RssSampler, round } from './lib/stats.ts';

export async function run(): Promise<Record<string, number | string>> {
  const rss = new RssSampler().start();
  const { core, stats } = await buildCorpus();
  let counted: number;
  try {
    counted = await core.stores.articles.count();
  } finally {
    await core.core.close();
  }
  const peak = rss.stop();
  keepCorpus(stats);
  return report(stats, counted, peak);
}

function report(s: CorpusStats, counted: number, peakRss: number): Record<string, number | string> {
  return {
    path: 'direct: buildArticle → articles.insertNew + journal.append per 1,000 (no HTTP, no source update)',
    articles_requested: s.requested,
    articles_stored: s.articles,
    articles_in_db: counted,
    truncated_by_time_budget: s.truncated ? 'yes' : 'no',
    store_articles_per_s: Math.round((s.articles / s.storeMs) * 1000),
    end_to_end_articles_per_s: Math.round((s.articles / (s.storeMs + s.buildMs)) * 1000),
    total_s: round((s.storeMs + s.buildMs) / 1000, 1),
    build_s: round(s.buildMs / 1000, 1),
    insert_many_s: round(s.insertMs / 1000, 1),
    journal_append_s: round(s.journalMs / 1000, 1),
    first_10_batches_articles_per_s: Math.round(s.firstBatchesRate),
    last_10_batches_articles_per_s: Math.round(s.lastBatchesRate),
    peak_rss_mb: mb(peakRss),
    database: s.dbName,
  };
}

/** Drops the database if core-search did not take it. */
export async function cleanup(): Promise<void> {
  await dropKeptCorpus();
}
