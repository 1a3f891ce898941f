import type { Region, Source } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import type { HttpFetcher } from '../ingest/http-fetch.ts';
import type { FetchOutcome, IngestService } from '../ingest/ingest-service.ts';
import type { ParsePool } from '../ingest/parse-pool.ts';
import { probeSource } from '../ingest/source-probe.ts';
import type { SourceStore } from '../store/source-store.ts';

/** Shortest and longest poll interval a source may ask for, in seconds. */
export const MIN_INTERVAL_SEC = 60;
export const MAX_INTERVAL_SEC = 7 * 86400;

/** Result of adding a source: the source, whether it already existed, and the first ingest. */
export interface AddedSource {
  source: Source;
  existed: boolean;
  firstIngest: FetchOutcome | null;
}

/** Drops the recently-seen item keys, which stay inside the core. */
function plain<T extends Source>(s: T): Source {
  const { seen: _seen, ...rest } = s as T & { seen?: string[] };
  return rest;
}

/**
 * Sources: adding (validated by one fetch), finding and listing them with their health. The one
 * way the CLI, the chat commands and the poll scheduler reach sources.
 */
export class SourceService {
  constructor(
    private readonly deps: {
      fetcher: HttpFetcher;
      parser: ParsePool;
      sources: SourceStore;
      ingest: IngestService;
      defaultIntervalSec: number;
    },
  ) {}

  /**
   * Validate `url` by fetching it once, store it, and store its current items. An already
   * known feed is returned as it is (`existed: true`) and nothing changes.
   */
  async add(
    url: string,
    opts: { name?: string; intervalSec?: number; owner?: string } = {},
  ): Promise<AddedSource> {
    const intervalSec = opts.intervalSec ?? this.deps.defaultIntervalSec;
    if (!Number.isFinite(intervalSec) || intervalSec < MIN_INTERVAL_SEC || intervalSec > MAX_INTERVAL_SEC) {
      throw new NewsrelayError('bad_input', `The poll interval must be between 1 minute and 7 days`);
    }
    const known = await this.deps.sources.getByUrl(url.trim());
    if (known) return this.existing(known, opts.owner);
    const probed = await probeSource(this.deps.fetcher, this.deps.parser, url.trim());
    const already = await this.deps.sources.getByUrl(probed.url);
    if (already) return this.existing(already, opts.owner);
    const name = (opts.name?.trim() || probed.title?.trim() || new URL(probed.url).hostname).slice(0, 100);
    let source: Source;
    try {
      source = await this.deps.sources.add({
        url: probed.url,
        name,
        kind: probed.kind,
        intervalSec,
        ...(opts.owner ? { owner: opts.owner } : {}),
      });
    } catch (err) {
      if (err instanceof NewsrelayError && err.code === 'source_exists') {
        const s = await this.deps.sources.getByUrl(probed.url);
        if (s) return { source: plain(s), existed: true, firstIngest: null };
      }
      throw err;
    }
    const withSeen = await this.deps.sources.get(source.id);
    const firstIngest = withSeen
      ? await this.deps.ingest.ingestResponse(withSeen, probed.response, new Date(), probed.feed)
      : null;
    const stored = await this.deps.sources.get(source.id);
    return { source: stored ? plain(stored) : source, existed: false, firstIngest };
  }

  /** A source by id, or null. */
  async get(id: string): Promise<Source | null> {
    const s = await this.deps.sources.get(id);
    return s ? plain(s) : null;
  }

  /** A source by id, exact URL or case-insensitive name, or null. */
  async find(ref: string): Promise<Source | null> {
    const s = await this.deps.sources.find(ref.trim());
    return s ? plain(s) : null;
  }

  /** Every source with its health, oldest first. */
  async list(): Promise<Source[]> {
    return (await this.deps.sources.list({ withSeen: false })).map(plain);
  }

  /**
   * Set the region of the source `ref` names (id, URL or name); null goes back to guessing it
   * from the URL. `not_found` when no source matches.
   */
  async setRegion(ref: string, region: Region | null): Promise<Source> {
    const found = await this.deps.sources.find(ref.trim());
    if (!found || !(await this.deps.sources.setRegion(found.id, region)))
      throw new NewsrelayError('not_found', `No source matches "${ref}"`, { params: { source: ref } });
    return { ...plain(found), region };
  }

  /** Sources that are not disabled and whose next poll is due at `now`. */
  async due(now: number): Promise<Source[]> {
    return (await this.list()).filter((s) => !s.health.disabledAt && s.nextFetchAt.getTime() <= now);
  }

  private async existing(source: Source, owner: string | undefined): Promise<AddedSource> {
    if (owner) await this.deps.sources.addOwner(source.id, owner);
    return { source: plain(source), existed: true, firstIngest: null };
  }
}
