import type { Article } from '../domain/types.ts';
import { describeError, FetchError, NewsrelayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ArticleStore } from '../store/article-store.ts';
import { indexEntryOf, SearchIndex } from '../store/search-index.ts';
import type { SearchJournal } from '../store/search-journal.ts';
import type { SourceStore, SourceWithSeen } from '../store/source-store.ts';
import { type BuiltArticle, buildArticle } from './article-builder.ts';
import { readDocument } from './document-reader.ts';
import type { FetchResult, HttpFetcher } from './http-fetch.ts';

const MAX_BACKOFF_MS = 24 * 3600_000;
const MAX_TTL_MS = 6 * 3600_000;

/** What one fetch of one source did. */
export interface FetchOutcome {
  sourceId: string;
  status: 'ok' | 'not_modified' | 'failed' | 'disabled' | 'gone';
  fetched: number;
  new: number;
  duplicates: number;
  error?: string;
}

/** Collaborators of {@link IngestService}. */
export interface IngestDeps {
  fetcher: HttpFetcher;
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
  /** Called once when a source gets disabled (tell its owners). */
  onSourceDisabled?: (source: SourceWithSeen, reason: string) => Promise<void>;
}

/**
 * Fetch a source, store what is new, and record the source's health. Conditional GET first
 * (a 304 writes nothing); items the source served before are skipped before any write;
 * articles already stored from another source are counted as duplicates; near-duplicates join
 * the cluster of the story they repeat.
 */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /** Fetch the source with this id now; `gone` when it no longer exists. */
  async fetchById(sourceId: string, now = new Date()): Promise<FetchOutcome> {
    const source = await this.deps.sources.get(sourceId);
    if (!source) return { sourceId, status: 'gone', fetched: 0, new: 0, duplicates: 0 };
    return this.fetchSource(source, now);
  }

  async fetchSource(source: SourceWithSeen, now = new Date()): Promise<FetchOutcome> {
    const outcome = await this.fetchOnce(source, now);
    this.deps.onOutcome?.(outcome);
    return outcome;
  }

  private async fetchOnce(source: SourceWithSeen, now: Date): Promise<FetchOutcome> {
    const base = { sourceId: source.id, fetched: 0, new: 0, duplicates: 0 };
    if (source.health.disabledAt)
      return { ...base, status: 'disabled', error: source.health.disabledReason ?? '' };
    let res: FetchResult;
    try {
      res = await this.deps.fetcher.fetch(source.url, {
        etag: source.etag,
        lastModified: source.lastModified,
      });
    } catch (err) {
      return { ...base, ...(await this.fail(source, err, now)) };
    }
    if (res.status === 304) {
      if (source.health.failures > 0) await this.deps.sources.clearFailures(source.id, now);
      return { ...base, status: 'not_modified' };
    }
    return this.ingestResponse(source, res, now);
  }

  /** Parse and store a response already fetched (also used right after a source is added). */
  async ingestResponse(source: SourceWithSeen, res: FetchResult, now = new Date()): Promise<FetchOutcome> {
    const base = { sourceId: source.id, fetched: 0, new: 0, duplicates: 0 };
    try {
      const doc = readDocument(res, source.kind === 'html' ? 'html' : undefined);
      if (doc.type !== 'feed') {
        throw new NewsrelayError(
          'not_a_feed',
          doc.type === 'none' ? doc.reason : 'the source no longer serves a feed',
        );
      }
      const built = doc.feed.entries
        .map((e) => buildArticle(e, source.id, res.url, now))
        .filter((b): b is BuiltArticle => b !== null);
      const stored = await this.store(source, built);
      const ttlMs = doc.feed.ttlMinutes ? Math.min(doc.feed.ttlMinutes * 60_000, MAX_TTL_MS) : 0;
      await this.deps.sources.recordSuccess(source.id, {
        etag: res.etag,
        lastModified: res.lastModified,
        newKeys: stored.newKeys,
        seen: source.seen,
        at: new Date(now.getTime() + Math.max(0, ttlMs - source.intervalSec * 1000)),
      });
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
      };
    } catch (err) {
      return { ...base, ...(await this.fail(source, err, now)) };
    }
  }

  /** Keep the unseen items, settle clusters, insert, and journal what was new. */
  private async store(
    source: SourceWithSeen,
    built: BuiltArticle[],
  ): Promise<{ articles: Article[]; newKeys: string[] }> {
    const seen = new Set(source.seen);
    const fresh: BuiltArticle[] = [];
    const keys = new Set<string>();
    for (const b of built) {
      if (seen.has(b.seenKey) || keys.has(b.seenKey)) continue;
      keys.add(b.seenKey);
      fresh.push(b);
    }
    const newKeys = [...keys];
    if (fresh.length === 0) return { articles: [], newKeys };
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
    return { articles: stored, newKeys };
  }

  private async fail(
    source: SourceWithSeen,
    err: unknown,
    now: Date,
  ): Promise<Pick<FetchOutcome, 'status' | 'error'>> {
    if (!(err instanceof NewsrelayError))
      this.deps.log.error({ err, source: source.id }, 'unexpected ingest error');
    const reason = describeError(err);
    const failures = source.health.failures + 1;
    const permanent = err instanceof FetchError && !err.retryable;
    const disable =
      failures >= this.deps.maxFailures || (permanent && failures >= Math.ceil(this.deps.maxFailures / 2));
    const backoff = Math.min(source.intervalSec * 1000 * 2 ** Math.min(failures, 16), MAX_BACKOFF_MS);
    await this.deps.sources.recordFailure(source.id, {
      error: reason,
      failures,
      retryAt: new Date(now.getTime() + backoff),
      disable,
      at: now,
    });
    this.deps.log.warn({ source: source.id, failures, reason, disabled: disable }, 'source fetch failed');
    if (disable && this.deps.onSourceDisabled)
      await this.deps.onSourceDisabled(source, reason).catch(() => {});
    return { status: 'failed', error: reason };
  }
}
