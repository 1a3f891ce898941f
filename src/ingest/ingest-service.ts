import type { Article } from '../domain/types.ts';
import { describeError, type ErrorCode, FetchError, NewsrelayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type FailureKind, failureKind } from '../sources/failure-kind.ts';
import type { ArticleStore } from '../store/article-store.ts';
import { indexEntryOf, SearchIndex } from '../store/search-index.ts';
import type { SearchJournal } from '../store/search-journal.ts';
import type { SourceRecord, SourceStore } from '../store/source-store.ts';
import type { BuiltArticle } from './article-builder.ts';
import type { FeedRead } from './document-job.ts';
import { describeNotes } from './document-reader.ts';
import type { FetchResult, HttpFetcher } from './http-fetch.ts';
import type { ParsePool } from './parse-pool.ts';

const MAX_BACKOFF_MS = 24 * 3600_000;
const MAX_TTL_MS = 6 * 3600_000;
/** A disabled source is probed again after this long at first … */
export const REPROBE_MIN_MS = 3600_000;
/** … the wait doubling with each failed probe up to this. */
export const REPROBE_MAX_MS = 24 * 3600_000;

/** What one fetch of one source did. */
export interface FetchOutcome {
  sourceId: string;
  status: 'ok' | 'not_modified' | 'failed' | 'disabled' | 'gone';
  fetched: number;
  new: number;
  duplicates: number;
  error?: string;
  /** Code of the failure: a {@link NewsrelayError} code, or `internal` for an unexpected error. */
  errorCode?: ErrorCode | 'internal';
  /** What kind of failure it was, as people are told (`http_404`, `timeout`, `tls`, …). */
  failureKind?: FailureKind;
  /** This fetch re-enabled a disabled source (it answered with a feed again). */
  recovered?: boolean;
  /** What reading the document had to repair or leave out (also kept in the source's health). */
  warnings?: string[];
}

/** Collaborators of {@link IngestService}. */
export interface IngestDeps {
  fetcher: HttpFetcher;
  /** Reads documents off the main thread, within time and memory limits. */
  parser: ParsePool;
  sources: SourceStore;
  articles: ArticleStore;
  journal: SearchJournal;
  log: Logger;
  /** Consecutive failures after which a source is disabled. */
  maxFailures: number;
  /** Called with the articles a fetch stored (instant delivery). */
  onNewArticles?: (articles: Article[]) => Promise<void>;
  /** Called after every fetch with its outcome (metrics). */
  onOutcome?: (outcome: FetchOutcome) => void;
  /** Called once when a source gets disabled (tell its owners and subscribers). */
  onSourceDisabled?: (source: SourceRecord, failure: SourceFailure) => Promise<void>;
  /** Called once when a disabled source answers with a feed again and is re-enabled. */
  onSourceRecovered?: (source: SourceRecord, disabledAt: Date) => Promise<void>;
}

/** The failure that disabled a source. */
export interface SourceFailure {
  /** Secret-free technical reason (logs, the CLI). */
  reason: string;
  kind: FailureKind;
  at: Date;
}

/**
 * Fetch a source, store what is new, and record the source's health. Conditional GET first
 * (a 304 writes nothing); items the source served before are skipped before any write;
 * articles already stored from another source are counted as duplicates; near-duplicates join
 * the cluster of the story they repeat.
 */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /**
   * Fetch the source with this id now; `gone` when it no longer exists. A disabled source is
   * probed only once its re-probe time has come, or at once with `force`.
   */
  async fetchById(sourceId: string, now = new Date(), opts: { force?: boolean } = {}): Promise<FetchOutcome> {
    const source = await this.deps.sources.getRecord(sourceId);
    if (!source) return { sourceId, status: 'gone', fetched: 0, new: 0, duplicates: 0 };
    return this.fetchSource(source, now, opts);
  }

  async fetchSource(
    source: SourceRecord,
    now = new Date(),
    opts: { force?: boolean } = {},
  ): Promise<FetchOutcome> {
    const outcome = await this.fetchOnce(source, now, opts.force === true);
    this.deps.onOutcome?.(outcome);
    return outcome;
  }

  private async fetchOnce(source: SourceRecord, now: Date, force: boolean): Promise<FetchOutcome> {
    const base = { sourceId: source.id, fetched: 0, new: 0, duplicates: 0 };
    // A disabled source is re-probed (a plain fetch) when its long backoff is over.
    if (source.health.disabledAt && !force && source.nextFetchAt.getTime() > now.getTime())
      return { ...base, status: 'disabled', error: source.health.disabledReason ?? '' };
    let res: FetchResult;
    this.deps.parser.warm();
    try {
      res = await this.deps.fetcher.fetch(source.url, {
        etag: source.etag,
        lastModified: source.lastModified,
      });
    } catch (err) {
      return { ...base, ...(await this.fail(source, err, now)) };
    }
    if (res.status === 304) {
      // The feed it served last is still current: a disabled source that says so is back.
      const recovered = source.health.disabledAt ? await this.deps.sources.enable(source.id, now) : false;
      if (source.health.failures > 0) await this.deps.sources.clearFailures(source.id, now);
      if (recovered) await this.recovered(source);
      return { ...base, status: 'not_modified', ...(recovered ? { recovered } : {}) };
    }
    return this.ingestResponse(source, res, now);
  }

  /** Read the feed of a response in the parse pool; `not_a_feed` when it holds none. */
  private async readFeed(source: SourceRecord, res: FetchResult, now: Date): Promise<FeedRead> {
    const doc = await this.deps.parser.read({
      body: res.body,
      contentType: res.contentType,
      url: res.url,
      sourceId: source.id,
      now: now.getTime(),
      ...(source.kind === 'html' ? { expect: 'html' as const } : {}),
    });
    if (doc.type === 'feed') return doc.feed;
    throw new NewsrelayError(
      'not_a_feed',
      doc.type === 'none' ? doc.reason : 'the source no longer serves a feed',
    );
  }

  /**
   * Parse and store a response already fetched (also used right after a source is added, with
   * the feed the probe read from it).
   */
  async ingestResponse(
    source: SourceRecord,
    res: FetchResult,
    now = new Date(),
    read?: FeedRead,
  ): Promise<FetchOutcome> {
    const base = { sourceId: source.id, fetched: 0, new: 0, duplicates: 0 };
    try {
      const feed = read ?? (await this.readFeed(source, res, now));
      const built = feed.articles;
      const warnings = describeNotes(feed.notes);
      const stored = await this.store(source, built);
      const recovered = source.health.disabledAt ? await this.deps.sources.enable(source.id, now) : false;
      const ttlMs = feed.ttlMinutes ? Math.min(feed.ttlMinutes * 60_000, MAX_TTL_MS) : 0;
      await this.deps.sources.recordSuccess(source.id, {
        etag: res.etag,
        lastModified: res.lastModified,
        newKeys: stored.newKeys,
        seen: stored.seen,
        at: new Date(now.getTime() + Math.max(0, ttlMs - source.intervalSec * 1000)),
        warning: warnings.length > 0 ? warnings.join('; ') : null,
      });
      if (warnings.length > 0)
        this.deps.log.warn({ source: source.id, warnings }, 'source document needed repairs');
      if (recovered) await this.recovered(source);
      if (stored.articles.length > 0 && this.deps.onNewArticles) {
        await this.deps
          .onNewArticles(stored.articles)
          .catch((err) =>
            this.deps.log.warn(
              { err: describeError(err), source: source.id },
              'instant delivery hand-off failed',
            ),
          );
      }
      return {
        ...base,
        status: 'ok',
        fetched: built.length,
        new: stored.articles.length,
        duplicates: built.length - stored.articles.length,
        ...(warnings.length > 0 ? { warnings } : {}),
        ...(recovered ? { recovered } : {}),
      };
    } catch (err) {
      return { ...base, ...(await this.fail(source, err, now)) };
    }
  }

  /** A disabled source answered again and was re-enabled: log it and tell its chats. */
  private async recovered(source: SourceRecord): Promise<void> {
    this.deps.log.info({ source: source.id }, 'disabled source answers again; re-enabled');
    await this.deps
      .onSourceRecovered?.(source, source.health.disabledAt as Date)
      .catch((err) =>
        this.deps.log.warn({ err: describeError(err), source: source.id }, 'recovery notice failed'),
      );
  }

  /** Keep the unseen items, settle clusters, insert, and journal what was new. */
  private async store(
    source: SourceRecord,
    built: BuiltArticle[],
  ): Promise<{ articles: Article[]; newKeys: string[]; seen: string[] }> {
    const known = await this.deps.sources.seenOf(source.id);
    const seen = new Set(known);
    const fresh: BuiltArticle[] = [];
    const keys = new Set<string>();
    for (const b of built) {
      if (seen.has(b.seenKey) || keys.has(b.seenKey)) continue;
      keys.add(b.seenKey);
      fresh.push(b);
    }
    const newKeys = [...keys];
    if (fresh.length === 0) return { articles: [], newKeys, seen: known };
    const { journal, articles } = this.deps;
    // Clustering against batches other processes wrote in the last half second is not worth a
    // journal read on every fetch.
    await journal.refreshIfOlder(500);
    const candidates = fresh.map((b) => b.article).filter((a) => !journal.index.has(a.id));
    const batch: Article[] = [];
    // Near-duplicates inside this feed find each other through the same look-up.
    const local = new SearchIndex();
    for (const a of candidates) {
      const entry = indexEntryOf(a);
      a.clusterId = journal.index.findCluster(entry) ?? local.findCluster(entry) ?? a.id;
      local.add([{ ...entry, c: a.clusterId }]);
      batch.push(a);
    }
    const inserted = await articles.insertNew(batch);
    const stored = batch.filter((a) => inserted.has(a.id));
    // Stored earlier but in no journal batch (a writer failed between the two): journal them now.
    const unjournaled = await articles.getMany(batch.filter((a) => !inserted.has(a.id)).map((a) => a.id));
    const entries = [...stored, ...unjournaled].map(indexEntryOf);
    await journal.append(entries);
    return { articles: stored, newKeys, seen: known };
  }

  private async fail(
    source: SourceRecord,
    err: unknown,
    now: Date,
  ): Promise<Pick<FetchOutcome, 'status' | 'error' | 'errorCode' | 'failureKind'>> {
    if (!(err instanceof NewsrelayError))
      this.deps.log.error({ err, source: source.id }, 'unexpected ingest error');
    const errorCode: ErrorCode | 'internal' = err instanceof NewsrelayError ? err.code : 'internal';
    const reason = describeError(err);
    const kind = failureKind(err);
    const result = { status: 'failed' as const, error: reason, errorCode, failureKind: kind };
    if (source.health.disabledAt) {
      // A re-probe of a disabled source failed: it stays disabled, and waits twice as long.
      const probes = (source.health.probes ?? 0) + 1;
      const wait = Math.min(REPROBE_MIN_MS * 2 ** Math.min(probes, 16), REPROBE_MAX_MS);
      await this.deps.sources.recordProbeFailure(source.id, {
        error: reason,
        kind,
        probes,
        retryAt: new Date(now.getTime() + wait),
        at: now,
      });
      this.deps.log.info({ source: source.id, probes, reason }, 'disabled source still failing');
      // Told at the moment it was disabled unless a crash came between; the notice is idempotent.
      if (!source.health.downNotified)
        await this.tellDisabled(source, {
          reason: source.health.disabledReason ?? reason,
          kind: (source.health.disabledKind as FailureKind | null | undefined) ?? kind,
          at: source.health.disabledAt,
        });
      return result;
    }
    const failures = source.health.failures + 1;
    const permanent = err instanceof FetchError && !err.retryable;
    const disable =
      failures >= this.deps.maxFailures || (permanent && failures >= Math.ceil(this.deps.maxFailures / 2));
    const backoff = Math.min(source.intervalSec * 1000 * 2 ** Math.min(failures, 16), MAX_BACKOFF_MS);
    const disabledNow = await this.deps.sources.recordFailure(source.id, {
      error: reason,
      kind,
      failures,
      retryAt: new Date(now.getTime() + (disable ? Math.max(backoff, REPROBE_MIN_MS) : backoff)),
      disable,
      at: now,
    });
    this.deps.log.warn({ source: source.id, failures, reason, disabled: disable }, 'source fetch failed');
    if (disabledNow) await this.tellDisabled(source, { reason, kind, at: now });
    return result;
  }

  /** Tell a disabled source's chats, then record that they were told. */
  private async tellDisabled(source: SourceRecord, failure: SourceFailure): Promise<void> {
    if (!this.deps.onSourceDisabled) return;
    try {
      await this.deps.onSourceDisabled(source, failure);
      await this.deps.sources.markDownNotified(source.id);
    } catch (err) {
      this.deps.log.warn({ err: describeError(err), source: source.id }, 'disabled-source notice failed');
    }
  }
}
