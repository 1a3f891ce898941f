import { ChatService } from './chats/chat-service.ts';
import type { Config } from './config/config.ts';
import { DeliveryService } from './delivery/delivery-service.ts';
import type { ChatSchedulePort, DeliveryQueuePort } from './delivery/platform-sender.ts';
import { DigestService } from './digest/digest-service.ts';
import type { Source } from './domain/types.ts';
import { describeError } from './errors.ts';
import { createHttpFetcher, type HttpFetcher } from './ingest/http-fetch.ts';
import { type FetchOutcome, IngestService } from './ingest/ingest-service.ts';
import { ParsePool } from './ingest/parse-pool.ts';
import type { Logger } from './log.ts';
import { RetentionService } from './maintenance/retention-service.ts';
import { HeadlinesService } from './search/headlines-service.ts';
import { SourceNotices } from './sources/source-notices.ts';
import { SourceService } from './sources/source-service.ts';
import { ArticleStore } from './store/article-store.ts';
import { ChatStore } from './store/chat-store.ts';
import { type Database, openDatabase } from './store/database.ts';
import { DeliveryStore } from './store/delivery-store.ts';
import { SearchIndex } from './store/search-index.ts';
import { SearchJournal } from './store/search-journal.ts';
import { SourceStore } from './store/source-store.ts';

/**
 * What the composition root plugs into the core: the job runtime's queues (BullMQ lives in jobs/,
 * the core only sees these ports) and observers. Processes without queues (the CLI) pass none:
 * then digests are not built and schedules are not kept.
 */
export interface CorePorts {
  /** Keeps per-chat digest schedulers in step with chat settings. */
  schedules?: ChatSchedulePort;
  /** Enqueues deliveries (digests, instant items). */
  deliveryQueue?: DeliveryQueuePort;
  /** Observes every fetch (metrics). */
  onFetchOutcome?: (outcome: FetchOutcome) => void;
  /** Observes a source being disabled after repeated failure (metrics, logs). */
  onSourceDisabled?: (source: Source, reason: string) => void;
  /**
   * False in a process that never searches, selects digests or ingests (the scheduler role): it
   * follows and compacts the search journal without holding the index (decision 0015).
   */
  holdsIndex?: boolean;
}

/**
 * The platform-neutral core: every operation the adapters, the job processors and the CLI use,
 * each with one set of rules. It knows no platform and no queue, and hands out no store.
 */
export interface Core {
  readonly config: Config;
  readonly log: Logger;
  /** Sources: add (validated by a fetch), find, list with health. */
  readonly sources: SourceService;
  /** Chats: settings, subscriptions, filters, activation. */
  readonly chats: ChatService;
  /** Headlines and script-insensitive search. */
  readonly headlines: HeadlinesService;
  /** Digests and instant items, recorded as deliveries. */
  readonly digests: DigestService;
  /** Sending recorded deliveries through a platform sender. */
  readonly deliveries: DeliveryService;
  /** Fetching sources and storing what is new. */
  readonly ingest: IngestService;
  /** Old articles and deliveries, journal compaction. */
  readonly retention: RetentionService;
  /** Articles in this process's search index (a metric). */
  indexedArticles(): number;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The core with what it is built on, for tests and benchmarks that look beneath it. */
export interface CoreInternals {
  core: Core;
  db: Database;
  fetcher: HttpFetcher;
  /** Reads fetched documents in worker threads, within time and memory limits. */
  parser: ParsePool;
  journal: SearchJournal;
  stores: {
    sources: SourceStore;
    articles: ArticleStore;
    chats: ChatStore;
    deliveries: DeliveryStore;
  };
}

/** Open the database and build the core and its stores. */
export async function createCoreInternals(
  config: Config,
  log: Logger,
  ports: CorePorts = {},
): Promise<CoreInternals> {
  const db = await openDatabase(config.MONGODB_URI);
  const fetcher = createHttpFetcher({
    allowPrivateNetwork: config.ALLOW_PRIVATE_NETWORK_FEEDS,
    timeoutMs: config.FETCH_TIMEOUT,
    maxBytes: config.FETCH_MAX_BYTES,
    perHostConcurrency: config.FETCH_PER_HOST_CONCURRENCY,
  });
  const parser = new ParsePool({
    ...(config.PARSE_THREADS === undefined ? {} : { threads: config.PARSE_THREADS }),
    onWorkerError: (err) => log.error({ err }, 'parse worker failed'),
    onModuleFallback: (reason) =>
      log.warn({ reason }, 'parse workers load TypeScript through tsx (about 25 MB more per process)'),
  });
  const stores = {
    sources: new SourceStore(db.models),
    articles: new ArticleStore(db.models, { retentionMs: config.ARTICLE_RETENTION }),
    chats: new ChatStore(db.models),
    deliveries: new DeliveryStore(db.models),
  };
  const retentionMs = config.ARTICLE_RETENTION;
  const journal = new SearchJournal(
    db.models,
    ports.holdsIndex === false ? null : new SearchIndex({ retentionMs }),
    { retentionMs },
  );
  const headlines = new HeadlinesService({ journal, articles: stores.articles, sources: stores.sources });
  const chats = new ChatService({ store: stores.chats, schedules: ports.schedules ?? null });
  const digests = new DigestService({
    chats,
    deliveries: stores.deliveries,
    journal,
    articles: stores.articles,
    sourceNames: (needed) => headlines.sourceNames(needed),
    queue: ports.deliveryQueue ?? null,
    firstLookbackMs: config.FIRST_DIGEST_LOOKBACK,
  });
  const notices = new SourceNotices({
    chats,
    sources: stores.sources,
    deliveries: stores.deliveries,
    queue: ports.deliveryQueue ?? null,
    log,
  });
  const ingest = new IngestService({
    fetcher,
    parser,
    sources: stores.sources,
    articles: stores.articles,
    journal,
    log,
    maxFailures: config.SOURCE_MAX_FAILURES,
    onNewArticles: async (articles) => {
      try {
        await digests.instant(articles);
      } catch (err) {
        log.warn({ err: describeError(err) }, 'instant delivery failed');
      }
    },
    ...(ports.onFetchOutcome ? { onOutcome: ports.onFetchOutcome } : {}),
    onSourceDisabled: async (source, failure) => {
      ports.onSourceDisabled?.(source, failure.reason);
      await notices.disabled(source, failure.kind, failure.at);
    },
    onSourceRecovered: async (source, disabledAt) => {
      await notices.recovered(source, disabledAt);
    },
  });
  const sources = new SourceService({
    fetcher,
    parser,
    sources: stores.sources,
    ingest,
    defaultIntervalSec: Math.round(config.DEFAULT_POLL_INTERVAL / 1000),
    access: {
      publicUrls: config.PUBLIC_SOURCES,
      allowedUsers: config.ALLOWED_USERS,
      maxPerUser: config.MAX_SOURCES_PER_USER,
    },
  });
  const deliveries = new DeliveryService({
    chats,
    deliveries: stores.deliveries,
    queue: ports.deliveryQueue ?? null,
    log,
  });
  const retention = new RetentionService({
    articles: stores.articles,
    journal,
    deliveries,
    retentionMs: config.ARTICLE_RETENTION,
    log,
  });
  const core: Core = {
    config,
    log,
    sources,
    chats,
    headlines,
    digests,
    deliveries,
    ingest,
    retention,
    indexedArticles: () => journal.indexed,
    ping: () => db.ping(),
    close: async () => {
      await fetcher.close();
      await parser.close();
      await db.close();
    },
  };
  return { core, db, fetcher, parser, journal, stores };
}

/** Open the database and build the core. */
export async function createCore(config: Config, log: Logger, ports: CorePorts = {}): Promise<Core> {
  return (await createCoreInternals(config, log, ports)).core;
}
