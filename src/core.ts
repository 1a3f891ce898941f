import type { Config } from './config/config.ts';
import type { Article } from './domain/types.ts';
import { createHttpFetcher, type HttpFetcher } from './ingest/http-fetch.ts';
import { type FetchOutcome, IngestService } from './ingest/ingest-service.ts';
import { ParsePool } from './ingest/parse-pool.ts';
import type { Logger } from './log.ts';
import { HeadlinesService } from './search/headlines-service.ts';
import { SourceService } from './sources/source-service.ts';
import { ArticleStore } from './store/article-store.ts';
import { type Database, openDatabase } from './store/database.ts';
import { SearchIndex } from './store/search-index.ts';
import { SearchJournal } from './store/search-journal.ts';
import { SourceStore, type SourceWithSeen } from './store/source-store.ts';

/** Hooks the composition root plugs in after the queues exist. */
export interface CoreHooks {
  onNewArticles?: (articles: Article[]) => Promise<void>;
  onSourceDisabled?: (source: SourceWithSeen, reason: string) => Promise<void>;
  onFetchOutcome?: (outcome: FetchOutcome) => void;
}

/**
 * The platform-neutral core: stores, ingest, search and source management over one database.
 * Adapters and job processors receive this object; it knows no platform and no queue.
 */
export interface Core {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Database;
  readonly fetcher: HttpFetcher;
  /** Reads fetched documents in worker threads, within time and memory limits. */
  readonly parser: ParsePool;
  readonly sources: SourceStore;
  readonly articles: ArticleStore;
  readonly journal: SearchJournal;
  readonly ingest: IngestService;
  readonly sourceService: SourceService;
  readonly headlines: HeadlinesService;
  /** Hooks are set late (by the composition root); the ingest service reads them on each call. */
  readonly hooks: CoreHooks;
  close(): Promise<void>;
}

/** Open the database and build the core. */
export async function createCore(config: Config, log: Logger): Promise<Core> {
  const db = await openDatabase(config.MONGODB_URI);
  const fetcher = createHttpFetcher({
    allowPrivateNetwork: config.ALLOW_PRIVATE_NETWORK_FEEDS,
    timeoutMs: config.FETCH_TIMEOUT,
    maxBytes: config.FETCH_MAX_BYTES,
    perHostConcurrency: config.FETCH_PER_HOST_CONCURRENCY,
  });
  const parser = new ParsePool({ onWorkerError: (err) => log.error({ err }, 'parse worker failed') });
  const sources = new SourceStore(db.models);
  const articles = new ArticleStore(db.models, { retentionMs: config.ARTICLE_RETENTION });
  const journal = new SearchJournal(db.models, new SearchIndex());
  const hooks: CoreHooks = {};
  const ingest = new IngestService({
    fetcher,
    parser,
    sources,
    articles,
    journal,
    log,
    maxFailures: config.SOURCE_MAX_FAILURES,
    onNewArticles: (a) => hooks.onNewArticles?.(a) ?? Promise.resolve(),
    onSourceDisabled: (s, r) => hooks.onSourceDisabled?.(s, r) ?? Promise.resolve(),
    onOutcome: (o) => hooks.onFetchOutcome?.(o),
  });
  const sourceService = new SourceService({
    fetcher,
    parser,
    sources,
    ingest,
    defaultIntervalSec: Math.round(config.DEFAULT_POLL_INTERVAL / 1000),
  });
  const headlines = new HeadlinesService({ journal, articles, sources });
  return {
    config,
    log,
    db,
    fetcher,
    parser,
    sources,
    articles,
    journal,
    ingest,
    sourceService,
    headlines,
    hooks,
    close: async () => {
      await fetcher.close();
      await parser.close();
      await db.close();
    },
  };
}
