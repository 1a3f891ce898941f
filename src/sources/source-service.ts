import type { DueSource, Region, Source } from '../domain/types.ts';
import { NewsrelayError, UserError } from '../errors.ts';
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

/** Who may add sources from chats, and which are listed to every chat (the operator's settings). */
export interface SourceAccess {
  /** URLs listed in every chat's /sources (PUBLIC_SOURCES). */
  publicUrls: readonly string[];
  /** Platform user ids that may add new sources; empty: everyone (ALLOWED_USERS). */
  allowedUsers: readonly string[];
  /** Sources one user may be the first to add; 0: no limit (MAX_SOURCES_PER_USER). */
  maxPerUser: number;
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
      access?: SourceAccess;
    },
  ) {}

  /** Drops the recently-seen item keys (they stay inside the core) and settles `public`. */
  private plain<T extends Source>(s: T): Source {
    const { seen: _seen, owners: _owners, ...rest } = s as T & { seen?: string[]; owners?: string[] };
    const listed = this.deps.access?.publicUrls.includes(s.url) ?? false;
    return { ...rest, public: rest.public === true || listed };
  }

  /**
   * Refuses a chat user who may not add a new source: not on ALLOWED_USERS (a user the platform
   * does not name, e.g. a channel post, counts as not on it), or past MAX_SOURCES_PER_USER.
   */
  private async assertMayAdd(addedBy: string | null): Promise<void> {
    const access = this.deps.access;
    if (!access) return;
    if (access.allowedUsers.length > 0 && (addedBy === null || !access.allowedUsers.includes(addedBy)))
      throw new UserError('sourceAccess.notAllowed');
    if (access.maxPerUser > 0 && addedBy !== null) {
      const count = await this.deps.sources.countAddedBy(addedBy);
      if (count >= access.maxPerUser) throw new UserError('sourceAccess.userCap', { max: access.maxPerUser });
    }
  }

  /**
   * Validate `url` by fetching it once, store it, and store its current items. An already
   * known feed is returned as it is (`existed: true`) and nothing changes. `addedBy` is the chat
   * user adding it (null when the platform does not name one); left out, the operator (the CLI),
   * whom ALLOWED_USERS and MAX_SOURCES_PER_USER do not limit.
   */
  async add(
    url: string,
    opts: { name?: string; intervalSec?: number; owner?: string; addedBy?: string | null } = {},
  ): Promise<AddedSource> {
    const intervalSec = opts.intervalSec ?? this.deps.defaultIntervalSec;
    if (!Number.isFinite(intervalSec) || intervalSec < MIN_INTERVAL_SEC || intervalSec > MAX_INTERVAL_SEC) {
      throw new NewsrelayError('bad_input', `The poll interval must be between 1 minute and 7 days`);
    }
    const known = await this.deps.sources.getByUrl(url.trim());
    if (known) return this.existing(known, opts.owner);
    // Before any fetch: a refused user makes the bot fetch nothing.
    if (opts.addedBy !== undefined) await this.assertMayAdd(opts.addedBy);
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
        ...(opts.addedBy ? { addedBy: opts.addedBy } : {}),
      });
    } catch (err) {
      if (err instanceof NewsrelayError && err.code === 'source_exists') {
        const s = await this.deps.sources.getByUrl(probed.url);
        if (s) return { source: this.plain(s), existed: true, firstIngest: null };
      }
      throw err;
    }
    const record = await this.deps.sources.getRecord(source.id);
    const firstIngest = record
      ? await this.deps.ingest.ingestResponse(record, probed.response, new Date(), probed.feed)
      : null;
    const stored = await this.deps.sources.getRecord(source.id);
    return { source: stored ? this.plain(stored) : source, existed: false, firstIngest };
  }

  /** A source by id, or null. */
  async get(id: string): Promise<Source | null> {
    const s = await this.deps.sources.getRecord(id);
    return s ? this.plain(s) : null;
  }

  /** A source by id, exact URL or case-insensitive name, or null. */
  async find(ref: string): Promise<Source | null> {
    const s = await this.deps.sources.find(ref.trim());
    return s ? this.plain(s) : null;
  }

  /** Every source with its health, oldest first. */
  async list(): Promise<Source[]> {
    return (await this.deps.sources.list({ withSeen: false })).map((s) => this.plain(s));
  }

  /**
   * The sources the chats `chatKeys` may see: those they follow (`followed` ids), those they
   * added, and public ones. Others stay private to the chats that added and follow them.
   */
  async visibleTo(chatKeys: readonly string[], followed: ReadonlySet<string>): Promise<Source[]> {
    const keys = new Set(chatKeys);
    return (await this.deps.sources.list({ withSeen: false }))
      .map((s) => ({ s, shown: this.plain(s) }))
      .filter(({ s, shown }) => shown.public || followed.has(s.id) || s.owners.some((k) => keys.has(k)))
      .map(({ shown }) => shown);
  }

  /**
   * Set the region of the source `ref` names (id, URL or name); null goes back to guessing it
   * from the URL. `not_found` when no source matches.
   */
  async setRegion(ref: string, region: Region | null): Promise<Source> {
    const found = await this.deps.sources.find(ref.trim());
    if (!found || !(await this.deps.sources.setRegion(found.id, region)))
      throw new NewsrelayError('not_found', `No source matches "${ref}"`, { params: { source: ref } });
    return { ...this.plain(found), region };
  }

  /**
   * Sources whose next poll is due at `now`, in batches: a disabled one when its long re-probe
   * backoff is over (a probe that finds a feed again re-enables it).
   */
  due(now: number, batchSize = 1000): AsyncGenerator<DueSource[]> {
    return this.deps.sources.due(new Date(now), batchSize);
  }

  /**
   * Probe a disabled source now (someone subscribed to it again) instead of at its backoff; the
   * outcome says whether it is back (`recovered`) or why not. Null for a source not disabled.
   */
  async retry(id: string, now = new Date()): Promise<FetchOutcome | null> {
    const source = await this.deps.sources.getRecord(id);
    if (!source?.health.disabledAt) return null;
    return this.deps.ingest.fetchSource(source, now, { force: true });
  }

  /** Mark a source public (listed in every chat's /sources) or private; false when unknown. */
  setPublic(id: string, on: boolean): Promise<boolean> {
    return this.deps.sources.setPublic(id, on);
  }

  /** Chat keys that added the source. */
  owners(id: string): Promise<string[]> {
    return this.deps.sources.owners(id);
  }

  private async existing(source: Source, owner: string | undefined): Promise<AddedSource> {
    if (owner) await this.deps.sources.addOwner(source.id, owner);
    return { source: this.plain(source), existed: true, firstIngest: null };
  }
}
