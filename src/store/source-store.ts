import { createHash } from 'node:crypto';
import type { DueSource, Region, Source, SourceHealth, SourceKind } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import { cursorBatches } from './cursor-batches.ts';
import type { Models } from './models.ts';

/** Keys of items seen in a source's recent fetches are kept up to this count. */
const SEEN_LIMIT = 1000;

interface SourceDoc {
  _id: string;
  url: string;
  name: string;
  kind: string;
  intervalSec: number;
  nextFetchAt: Date;
  etag: string | null;
  lastModified: string | null;
  health: SourceHealth;
  seen: string[];
  owners: string[];
  /** Platform user (`telegram:123`) who first added it, for MAX_SOURCES_PER_USER; null for the operator. */
  addedBy?: string | null;
  public?: boolean;
  createdAt: Date;
  region?: Region | null;
}

/** A source with the chats that added it: what fetching it needs. */
export interface SourceRecord extends Source {
  /** Chat keys that added it (told when it is disabled; it stays visible to them). */
  owners: string[];
}

/** A source with the keys of the items it served lately (for de-duplication before any write). */
export interface SourceWithSeen extends SourceRecord {
  seen: string[];
}

/** Stable id of a source: a hash of its URL, so the same feed is never stored twice. */
export function sourceIdFor(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 12);
}

function toSource(d: SourceDoc): SourceWithSeen {
  return {
    id: d._id,
    url: d.url,
    name: d.name,
    kind: d.kind as SourceKind,
    intervalSec: d.intervalSec,
    nextFetchAt: d.nextFetchAt,
    etag: d.etag ?? null,
    lastModified: d.lastModified ?? null,
    health: {
      failures: d.health?.failures ?? 0,
      lastFetchedAt: d.health?.lastFetchedAt ?? null,
      lastSuccessAt: d.health?.lastSuccessAt ?? null,
      lastError: d.health?.lastError ?? null,
      disabledAt: d.health?.disabledAt ?? null,
      disabledReason: d.health?.disabledReason ?? null,
      lastWarning: d.health?.lastWarning ?? null,
      lastErrorKind: d.health?.lastErrorKind ?? null,
      disabledKind: d.health?.disabledKind ?? null,
      probes: d.health?.probes ?? 0,
      downNotified: d.health?.downNotified ?? false,
    },
    // Sources from before the flag: the operator's (no chat added them) are public, as new ones are.
    public: d.public ?? (d.owners ?? []).length === 0,
    createdAt: d.createdAt,
    region: d.region ?? null,
    seen: d.seen ?? [],
    owners: d.owners ?? [],
  };
}

/** Sources and their fetch state. */
export class SourceStore {
  constructor(private readonly models: Models) {}

  /** Store a new source; `source_exists` when its URL is already known. */
  async add(input: {
    url: string;
    name: string;
    kind: SourceKind;
    intervalSec: number;
    owner?: string;
    addedBy?: string | null;
  }): Promise<Source> {
    const now = new Date();
    const doc: SourceDoc = {
      _id: sourceIdFor(input.url),
      url: input.url,
      name: input.name,
      kind: input.kind,
      intervalSec: input.intervalSec,
      nextFetchAt: now,
      etag: null,
      lastModified: null,
      health: {
        failures: 0,
        lastFetchedAt: null,
        lastSuccessAt: null,
        lastError: null,
        disabledAt: null,
        disabledReason: null,
        lastWarning: null,
      },
      seen: [],
      owners: input.owner ? [input.owner] : [],
      addedBy: input.addedBy ?? null,
      // The operator's sources (added without a chat) are a catalogue for everyone; a chat's are private.
      public: !input.owner,
      createdAt: now,
    };
    try {
      await this.models.Source.collection.insertOne(doc as never);
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        throw new NewsrelayError('source_exists', `Source ${input.url} already exists`, {
          params: { url: input.url },
        });
      }
      throw err;
    }
    return toSource(doc);
  }

  async get(id: string): Promise<SourceWithSeen | null> {
    const d = await this.models.Source.collection.findOne({ _id: id as never });
    return d ? toSource(d as unknown as SourceDoc) : null;
  }

  /**
   * A source without its seen keys (up to 1,000 of them): a fetch reads them only when the site
   * sent a new document ({@link seenOf}), not for the 304s most fetches get.
   */
  async getRecord(id: string): Promise<SourceRecord | null> {
    const d = await this.models.Source.collection.findOne({ _id: id as never }, { projection: { seen: 0 } });
    if (!d) return null;
    const { seen: _, ...record } = toSource(d as unknown as SourceDoc);
    return record;
  }

  /** The seen keys of a source, newest first; empty for an unknown source. */
  async seenOf(id: string): Promise<string[]> {
    const d = await this.models.Source.collection.findOne({ _id: id as never }, { projection: { seen: 1 } });
    return (d as unknown as Pick<SourceDoc, 'seen'> | null)?.seen ?? [];
  }

  async getByUrl(url: string): Promise<SourceWithSeen | null> {
    return this.get(sourceIdFor(url));
  }

  /** Find by id, exact URL, or case-insensitive name. */
  async find(ref: string): Promise<SourceWithSeen | null> {
    const byId = await this.get(ref);
    if (byId) return byId;
    const byUrl = await this.getByUrl(ref);
    if (byUrl) return byUrl;
    const lower = ref.trim().toLowerCase();
    const named = (await this.list({ withSeen: false })).find((s) => s.name.toLowerCase() === lower);
    return named ? this.get(named.id) : null;
  }

  /** The sources `ids` names that exist, without their seen keys, in no particular order. */
  async getMany(ids: readonly string[]): Promise<Source[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Source.collection
      .find({ _id: { $in: [...new Set(ids)] } } as never, { projection: { seen: 0 } })
      .toArray();
    return (docs as unknown as SourceDoc[]).map(toSource);
  }

  /**
   * Source id → name, of the sources `ids` names (those that exist), or of every source when
   * `ids` is left out; only names are read.
   */
  async names(ids?: readonly string[]): Promise<Map<string, string>> {
    if (ids?.length === 0) return new Map();
    const filter = ids ? { _id: { $in: [...new Set(ids)] } } : {};
    const docs = await this.models.Source.collection
      .find(filter as never, { projection: { name: 1 } })
      .toArray();
    return new Map(docs.map((d) => [d._id as unknown as string, (d as unknown as SourceDoc).name]));
  }

  /** All sources, oldest first; `withSeen: false` leaves out the seen keys (the poll tick). */
  async list(opts: { withSeen?: boolean } = {}): Promise<SourceWithSeen[]> {
    const docs = await this.models.Source.collection
      .find({}, opts.withSeen === false ? { projection: { seen: 0 } } : {})
      .toArray();
    return (docs as unknown as SourceDoc[]).map(toSource).sort((a, b) => +a.createdAt - +b.createdAt);
  }

  /**
   * Sources whose `nextFetchAt` is at or before `now`, in batches of `size`, with only what a
   * poll tick needs: the tick never holds every source at once.
   */
  due(now: Date, size = 1000): AsyncGenerator<DueSource[]> {
    const cursor = this.models.Source.collection
      .find({ nextFetchAt: { $lte: now } } as never, { projection: { _id: 1, intervalSec: 1 } })
      .batchSize(size);
    return cursorBatches(cursor, size, (d) => {
      const doc = d as unknown as Pick<SourceDoc, '_id' | 'intervalSec'>;
      return { id: doc._id, intervalSec: doc.intervalSec };
    });
  }

  /**
   * Record a successful fetch; new item keys join the seen list, and `warning` (what the
   * document needed repaired or left out, null when clean) replaces the last one. Nothing is
   * written for a 304.
   */
  async recordSuccess(
    id: string,
    update: {
      etag: string | null;
      lastModified: string | null;
      newKeys: string[];
      seen: string[];
      at: Date;
      warning?: string | null;
    },
  ): Promise<void> {
    const seen = [...update.newKeys, ...update.seen.filter((k) => !update.newKeys.includes(k))].slice(
      0,
      SEEN_LIMIT,
    );
    await this.models.Source.collection.updateOne({ _id: id as never }, {
      $set: {
        etag: update.etag,
        lastModified: update.lastModified,
        seen,
        nextFetchAt: update.at,
        'health.failures': 0,
        'health.lastFetchedAt': update.at,
        'health.lastSuccessAt': update.at,
        'health.lastError': null,
        'health.lastErrorKind': null,
        'health.lastWarning': update.warning ?? null,
      },
    } as never);
  }

  /** A 304 after failures clears the failure count; otherwise a 304 writes nothing. */
  async clearFailures(id: string, at: Date): Promise<void> {
    await this.models.Source.collection.updateOne({ _id: id as never }, {
      $set: {
        'health.failures': 0,
        'health.lastError': null,
        'health.lastErrorKind': null,
        'health.lastSuccessAt': at,
        nextFetchAt: at,
      },
    } as never);
  }

  /**
   * Record a failure and back off until `retryAt`; with `disable`, disable the source unless it is
   * disabled already. True when this call disabled it (so its people are told once, however many
   * fetches race).
   */
  async recordFailure(
    id: string,
    f: { error: string; kind: string; failures: number; retryAt: Date; disable: boolean; at: Date },
  ): Promise<boolean> {
    const set: Record<string, unknown> = {
      nextFetchAt: f.retryAt,
      'health.failures': f.failures,
      'health.lastError': f.error,
      'health.lastErrorKind': f.kind,
      'health.lastFetchedAt': f.at,
    };
    if (!f.disable) {
      await this.models.Source.collection.updateOne({ _id: id as never }, { $set: set } as never);
      return false;
    }
    const res = await this.models.Source.collection.updateOne(
      { _id: id as never, 'health.disabledAt': null } as never,
      {
        $set: {
          ...set,
          'health.disabledAt': f.at,
          'health.disabledReason': f.error,
          'health.disabledKind': f.kind,
          'health.probes': 0,
          'health.downNotified': false,
        },
      } as never,
    );
    if (res.modifiedCount > 0) return true;
    await this.models.Source.collection.updateOne({ _id: id as never }, { $set: set } as never);
    return false;
  }

  /** Its chats were told it was disabled. */
  async markDownNotified(id: string): Promise<void> {
    await this.models.Source.collection.updateOne({ _id: id as never }, {
      $set: { 'health.downNotified': true },
    } as never);
  }

  /** A re-probe of a disabled source failed: it stays disabled and waits until `retryAt`. */
  async recordProbeFailure(
    id: string,
    f: { error: string; kind: string; probes: number; retryAt: Date; at: Date },
  ): Promise<void> {
    await this.models.Source.collection.updateOne({ _id: id as never }, {
      $set: {
        nextFetchAt: f.retryAt,
        'health.lastError': f.error,
        'health.lastErrorKind': f.kind,
        'health.lastFetchedAt': f.at,
        'health.probes': f.probes,
      },
    } as never);
  }

  /**
   * Re-enable a disabled source (a re-probe answered with a feed, or the operator). True when
   * this call re-enabled it (it was disabled), so its people are told once.
   */
  async enable(id: string, at = new Date()): Promise<boolean> {
    const res = await this.models.Source.collection.updateOne(
      { _id: id as never, 'health.disabledAt': { $ne: null } } as never,
      {
        $set: {
          'health.disabledAt': null,
          'health.disabledReason': null,
          'health.disabledKind': null,
          'health.probes': 0,
          'health.failures': 0,
          nextFetchAt: at,
        },
      } as never,
    );
    return res.modifiedCount > 0;
  }

  /** Mark a source public (listed in every chat's /sources) or private. False when unknown. */
  async setPublic(id: string, on: boolean): Promise<boolean> {
    const res = await this.models.Source.collection.updateOne({ _id: id as never }, {
      $set: { public: on },
    } as never);
    return res.matchedCount > 0;
  }

  /** How many sources `user` was the first to add. */
  async countAddedBy(user: string): Promise<number> {
    return this.models.Source.collection.countDocuments({ addedBy: user } as never);
  }

  /** Set the region the operator chose (null: guess from the URL again); false when unknown. */
  async setRegion(id: string, region: Region | null): Promise<boolean> {
    const r = await this.models.Source.collection.updateOne({ _id: id as never }, {
      $set: { region },
    } as never);
    return r.matchedCount > 0;
  }

  async addOwner(id: string, chatKey: string): Promise<void> {
    await this.models.Source.collection.updateOne({ _id: id as never }, {
      $addToSet: { owners: chatKey },
    } as never);
  }

  async owners(id: string): Promise<string[]> {
    const d = (await this.models.Source.collection.findOne({
      _id: id as never,
    })) as unknown as SourceDoc | null;
    return d?.owners ?? [];
  }
}
