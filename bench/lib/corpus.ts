/**
 * The 100,000-article corpus shared by core-ingest and core-search: generated entries turned
 * into articles with buildArticle, stored through the real store path (ArticleStore.insertNew
 * + SearchJournal.append, as IngestService.store does, without HTTP) in batches of 1,000.
 * core-ingest leaves the database for core-search when both run in one harness process.
 */
import { type CoreInternals, createCoreInternals } from '../../src/core.ts';
import type { Article } from '../../src/domain/types.ts';
import { buildArticle } from '../../src/ingest/article-builder.ts';
import { indexEntryOf } from '../../src/store/search-index.ts';
import { benchConfig, benchDbName, silentLog } from './env.ts';
import { entry, rng } from './gen.ts';
import { since } from './stats.ts';

export const CORPUS_SOURCES = 20;
export const CORPUS_ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000);
export const BATCH = 1000;
/** Stop storing when the store phase has taken this long, and report the rate measured. */
const STORE_BUDGET_MS = Number(process.env.BENCH_STORE_BUDGET_MS ?? 210_000);

export interface CorpusStats {
  dbName: string;
  articles: number;
  requested: number;
  buildMs: number;
  storeMs: number;
  insertMs: number;
  journalMs: number;
  /** Articles per second of the first and the last ten batches (store phase only). */
  firstBatchesRate: number;
  lastBatchesRate: number;
  truncated: boolean;
}

/** Entries round-robin over the sources, as a big multi-source ingest would deliver them. */
function entriesForBatch(r: () => number, from: number, count: number) {
  return Array.from({ length: count }, (_, k) => {
    const n = from + k;
    return { source: n % CORPUS_SOURCES, entry: entry(r, n % CORPUS_SOURCES, n) };
  });
}

/** Creates a database, adds the sources and stores `count` articles. Returns the core (open). */
export async function buildCorpus(
  count = CORPUS_ARTICLES,
): Promise<{ core: CoreInternals; stats: CorpusStats }> {
  const dbName = benchDbName('ingest');
  const core = await createCoreInternals(benchConfig(dbName), silentLog);
  const sourceIds: string[] = [];
  for (let s = 0; s < CORPUS_SOURCES; s++) {
    const src = await core.stores.sources.add({
      url: `https://news${s}.example.cn/rss.xml`,
      name: `新闻源${s}`,
      kind: 'rss',
      intervalSec: 600,
    });
    sourceIds.push(src.id);
  }
  const r = rng(20250830);
  const now = new Date();
  let buildMs = 0;
  let insertMs = 0;
  let journalMs = 0;
  let stored = 0;
  const batchRates: number[] = [];
  let truncated = false;
  for (let from = 0; from < count; from += BATCH) {
    if (insertMs + journalMs > STORE_BUDGET_MS) {
      truncated = true;
      break;
    }
    const n = Math.min(BATCH, count - from);
    const t0 = performance.now();
    const batch: Article[] = [];
    for (const { source, entry: e } of entriesForBatch(r, from, n)) {
      const built = buildArticle(e, sourceIds[source]!, `https://news${source}.example.cn/rss.xml`, now);
      if (built) batch.push(built.article);
    }
    buildMs += since(t0);
    // As IngestService.store: near-duplicates join the cluster of the story they repeat
    // (the in-memory index look-up; the O(n²) same-batch scan is left out, see the report).
    for (const a of batch) a.clusterId = core.journal.index.findCluster(a.fingerprint) ?? a.id;
    const t1 = performance.now();
    const inserted = await core.stores.articles.insertNew(batch);
    const t2 = performance.now();
    await core.journal.append(batch.filter((a) => inserted.has(a.id)).map(indexEntryOf));
    const t3 = performance.now();
    insertMs += t2 - t1;
    journalMs += t3 - t2;
    stored += inserted.size;
    batchRates.push((inserted.size / (t3 - t1)) * 1000);
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    core,
    stats: {
      dbName,
      articles: stored,
      requested: count,
      buildMs,
      storeMs: insertMs + journalMs,
      insertMs,
      journalMs,
      firstBatchesRate: avg(batchRates.slice(0, 10)),
      lastBatchesRate: avg(batchRates.slice(-10)),
      truncated,
    },
  };
}

/** A corpus database left by core-ingest for core-search (same process only). */
let kept: CorpusStats | null = null;

export function keepCorpus(stats: CorpusStats): void {
  kept = stats;
}

/** Takes the kept corpus (the taker then owns dropping it). */
export function takeCorpus(): CorpusStats | null {
  const k = kept;
  kept = null;
  return k;
}

/** Drops a database by name (opens a short-lived core on it). */
export async function dropDatabase(dbName: string): Promise<void> {
  const core = await createCoreInternals(benchConfig(dbName), silentLog);
  try {
    await core.db.drop();
  } finally {
    await core.core.close();
  }
}

/** Drops the kept corpus if nobody took it. */
export async function dropKeptCorpus(): Promise<void> {
  const k = takeCorpus();
  if (k) await dropDatabase(k.dbName);
}
