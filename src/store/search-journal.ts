import { NewsrelayError } from '../errors.ts';
import type { Models } from './models.ts';
import { compressEntries, decompressColumns, type EntryColumns } from './packed-entries.ts';
import type { IndexEntry, SearchIndex } from './search-index.ts';

/** How long a reserved but never written journal number blocks readers before it is skipped. */
const GAP_PATIENCE_MS = 30_000;
const PROBE_AHEAD = 8;
const MAX_READ_WINDOW = 64;
/** Segments read ahead of the one a starting process folds. */
const SEGMENTS_AHEAD = 3;
/** Compaction folds journal batches into segments of about this many entries. */
const SEGMENT_ENTRIES = 20_000;
/** Fewer pending batches than this are left for a later compaction. */
const MIN_BATCHES_TO_COMPACT = 200;
/**
 * Largest serialised batch stored as one journal document, and the size at which compaction
 * starts a new segment: MongoDB refuses documents over 16 MiB, and a refused batch would fail
 * the same fetch on every poll.
 */
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

interface Manifest {
  /** Number of the last segment written. */
  n: number;
  /** Last journal number folded into a segment. */
  to: number;
  /** Segments up to this number are deleted (all their articles were past retention). */
  pruned: number;
}

/**
 * Entries are stored as one JSON string per document: FerretDB converts every element of a
 * BSON array to and from its JSON storage, which made loading 100 batches of 1,000 articles
 * take 15 s; a single string is one value.
 */
interface StoredEntries {
  data: string;
}

interface SegmentDoc {
  /** Entries as JSON (segments written before they were compressed). */
  data?: string;
  /** Entries packed and deflated (`compressEntries`). */
  packed?: Uint8Array | { value(): Uint8Array };
  _id: string;
  from: number;
  to: number;
  /** Newest storage time of its entries (epoch ms); absent in segments written before pruning. */
  last?: number;
}

interface JournalDoc extends StoredEntries {
  at: Date;
}

/**
 * The entries of a batch or segment, each stamped with the journal number that made it visible:
 * `seq` for a batch; for entries written before entries carried their number, the batch's number,
 * or a segment's last one (`to`: later than any cursor set before the segment existed).
 */
function entriesOf(doc: StoredEntries, seq: number): IndexEntry[] {
  const entries = JSON.parse(doc.data) as IndexEntry[];
  for (const e of entries) e.q ??= seq;
  return entries;
}

/**
 * What a segment holds: columns (packed segments) or entries (segments written before packing),
 * the latter stamped as {@link entriesOf} does.
 */
function segmentContents(doc: SegmentDoc): IndexEntry[] | EntryColumns {
  if (doc.packed) return decompressColumns('value' in doc.packed ? doc.packed.value() : doc.packed);
  return entriesOf({ data: doc.data ?? '[]' }, doc.to);
}

function journalId(seq: number): string {
  return `j${seq.toString().padStart(12, '0')}`;
}

function segmentId(n: number): string {
  return `s${n.toString().padStart(8, '0')}`;
}

/** Room for the journal number a batch stamps on each entry (`"q":` and up to 16 digits). */
const STAMP_BYTES = 24;

/** Entries split into runs of at most `maxBytes` of JSON each (an entry larger than that alone). */
function inBatches(entries: readonly IndexEntry[], maxBytes: number): IndexEntry[][] {
  const batches: IndexEntry[][] = [];
  let batch: IndexEntry[] = [];
  let bytes = 2;
  for (const e of entries) {
    const size = Buffer.byteLength(JSON.stringify(e)) + STAMP_BYTES;
    if (batch.length > 0 && bytes + size > maxBytes) {
      batches.push(batch);
      batch = [];
      bytes = 2;
    }
    batch.push(e);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * The search journal: an append-only sequence of immutable batches in MongoDB (`index_journal`),
 * one per ingest batch, read by `_id` only. Writers reserve a number with `$inc` on a one-document
 * counter and insert the batch; readers follow the sequence and fold it into their in-memory
 * {@link SearchIndex}. Compaction folds old batches into a few large segments
 * (`index_segments`), so a process that starts reads a handful of documents. Inserts and `_id`
 * reads are what FerretDB does without a collection scan, so search stays fast on FerretDB as
 * on MongoDB (docs/decisions/0001-search-journal.md).
 */
export class SearchJournal {
  private position = 0;
  private segmentsRead = 0;
  private gapSince: number | null = null;
  private refreshing: Promise<number> | null = null;
  private refreshedAt = 0;

  private readonly maxDocumentBytes: number;
  private readonly retentionMs: number | undefined;

  /**
   * @param held - this process's index, or null in a process that never searches (the scheduler
   *   role): it follows and compacts the journal without folding it into memory
   * @param opts.maxDocumentBytes - size of one stored batch or segment (default 4 MiB; tests)
   * @param opts.retentionMs - what compaction keeps without an index (an index has its own)
   */
  constructor(
    private readonly models: Models,
    private readonly held: SearchIndex | null,
    opts: { maxDocumentBytes?: number; retentionMs?: number } = {},
  ) {
    this.maxDocumentBytes = opts.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
    this.retentionMs = opts.retentionMs;
  }

  /** This process's index; a process built without one refuses to search instead of finding nothing. */
  get index(): SearchIndex {
    if (this.held === null)
      throw new NewsrelayError('service_unavailable', 'this process holds no search index (scheduler role)');
    return this.held;
  }

  /** Number of articles in this process's index (0 without one). */
  get indexed(): number {
    return this.held?.size ?? 0;
  }

  /** Forget deleted articles in this process's index (retention). */
  forget(articleIds: Iterable<string>): void {
    this.held?.remove(articleIds);
  }

  /** Articles stored before this (epoch ms) are past retention. */
  private keptSince(): number {
    if (this.held) return this.held.keptSince();
    return this.retentionMs === undefined ? Number.NEGATIVE_INFINITY : Date.now() - this.retentionMs;
  }

  /**
   * Append entries and apply them to this process's index at once. Entries that serialise to
   * more than one document's worth are written as several batches. The counter only suggests a
   * number (FerretDB v1's `findOneAndUpdate` with `$inc` is not atomic under concurrency); the
   * unique `_id` of the insert decides, and a taken number moves on to the next.
   */
  async append(entries: IndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const batch of inBatches(entries, this.maxDocumentBytes)) await this.appendBatch(batch);
    this.held?.add(entries);
  }

  /**
   * The journal counter's next number. Two writers creating the counter at once (a fresh
   * database) make FerretDB refuse one upsert with a duplicate key: the counter exists then, and
   * the update is asked again.
   */
  private async nextNumber(): Promise<unknown> {
    const bump = () =>
      this.models.Counter.collection.findOneAndUpdate(
        { _id: 'journal' as never },
        { $inc: { n: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
    try {
      return await bump();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      return bump();
    }
  }

  /** Writes one batch under the next free journal number, stamping that number on its entries. */
  private async appendBatch(entries: IndexEntry[]): Promise<void> {
    const counter = await this.nextNumber();
    let seq = Math.max((counter as unknown as { n: number } | null)?.n ?? 1, this.position + 1);
    for (;;) {
      for (const e of entries) e.q = seq;
      try {
        await this.models.Journal.collection.insertOne({
          _id: journalId(seq),
          at: new Date(),
          data: JSON.stringify(entries),
        } as never);
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        seq++;
      }
    }
  }

  /** Read every batch written since the last refresh; returns how many batches were applied. */
  refresh(): Promise<number> {
    this.refreshing ??= this.readAhead().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** {@link refresh} unless this process refreshed less than `maxAgeMs` ago. */
  async refreshIfOlder(maxAgeMs: number): Promise<void> {
    const now = Date.now();
    if (now - this.refreshedAt < maxAgeMs) return;
    this.refreshedAt = now;
    await this.refresh();
  }

  /** Journal number this process has read up to. */
  get readPosition(): number {
    return this.position;
  }

  private async readAhead(): Promise<number> {
    let applied = 0;
    let window = 1;
    for (;;) {
      const docs = await Promise.all(
        Array.from({ length: window }, (_, k) => this.read(this.position + 1 + k)),
      );
      let read = 0;
      for (const doc of docs) {
        if (!doc) break;
        this.position++;
        this.held?.add(entriesOf(doc, this.position));
        read++;
      }
      applied += read;
      if (read === window) {
        window = Math.min(window * 2, MAX_READ_WINDOW);
        continue;
      }
      if (read > 0) continue;
      if (await this.readSegments()) continue;
      if (await this.skipGap()) continue;
      this.held?.expire();
      return applied;
    }
  }

  /** Apply segments written since the last look; true when the position moved. */
  private async readSegments(): Promise<boolean> {
    const manifest = await this.manifest();
    if (manifest.to <= this.position && manifest.n <= this.segmentsRead) return false;
    const first = Math.max(this.segmentsRead, manifest.pruned) + 1;
    const numbers = Array.from({ length: Math.max(0, manifest.n - first + 1) }, (_, k) => first + k);
    const read = (n: number) => {
      const doc = this.models.Segment.collection.findOne({
        _id: segmentId(n) as never,
      }) as unknown as Promise<SegmentDoc | null>;
      // Awaited in turn; a read still pending when an earlier one fails must not go unhandled.
      doc.catch(() => {});
      return doc;
    };
    // A few reads ahead of the fold: the database sends the next segments while this one is
    // folded, and the archive is never in memory as text all at once.
    const reads = numbers.slice(0, SEGMENTS_AHEAD).map(read);
    const before = this.position;
    for (let k = 0; k < numbers.length; k++) {
      const seg = await reads[k]!;
      if (k + SEGMENTS_AHEAD < numbers.length) reads.push(read(numbers[k + SEGMENTS_AHEAD]!));
      if (!seg) continue;
      if (seg.to > this.position && this.held) {
        const contents = segmentContents(seg);
        if (Array.isArray(contents)) this.held.add(contents);
        else this.held.addColumns(contents);
      }
      this.position = Math.max(this.position, seg.to);
    }
    this.segmentsRead = manifest.n;
    return this.position > before;
  }

  private async manifest(): Promise<Manifest> {
    const doc = (await this.models.Counter.collection.findOne({
      _id: 'segments' as never,
    })) as unknown as Partial<Manifest> | null;
    return { n: doc?.n ?? 0, to: doc?.to ?? 0, pruned: doc?.pruned ?? 0 };
  }

  /**
   * A missing number with later batches present is a writer in flight or one that crashed:
   * skip it once a later batch is older than the patience period, or once this process has
   * waited that long.
   */
  private async skipGap(): Promise<boolean> {
    const ahead = await Promise.all(
      Array.from({ length: PROBE_AHEAD }, (_, k) => this.read(this.position + 2 + k)),
    );
    const present = ahead.filter((d): d is JournalDoc => d !== null);
    if (present.length === 0) {
      this.gapSince = null;
      return false;
    }
    const now = Date.now();
    this.gapSince ??= now;
    const oldest = Math.min(...present.map((d) => new Date(d.at).getTime()));
    if (now - this.gapSince < GAP_PATIENCE_MS && now - oldest < GAP_PATIENCE_MS) return false;
    this.position++;
    this.gapSince = null;
    return true;
  }

  private async read(seq: number): Promise<JournalDoc | null> {
    const doc = await this.models.Journal.collection.findOne({ _id: journalId(seq) as never });
    return doc as unknown as JournalDoc | null;
  }

  /**
   * Fold the batches this process has read into segments (only articles still in the index,
   * so retention's deletions drop out), delete the folded batches, and delete the segments
   * whose articles are all past retention. Run by one process (the scheduler); returns the
   * number of segments written.
   */
  async compact(): Promise<number> {
    await this.refresh();
    const manifest = await this.manifest();
    const written = this.position - manifest.to < MIN_BATCHES_TO_COMPACT ? 0 : await this.fold(manifest);
    await this.prune(manifest.pruned, manifest.n + written);
    return written;
  }

  /**
   * Whether compaction keeps an entry: what the index still holds (retention's deletions drop
   * out) or, without an index, what is not past retention (all retention deletes).
   */
  private keeps(e: IndexEntry, since: number): boolean {
    return this.held ? this.held.has(e.i) : e.f >= since;
  }

  /** Write the batches after the manifest's into segments; how many were written. */
  private async fold(manifest: Manifest): Promise<number> {
    const since = this.keptSince();
    let from = manifest.to + 1;
    let n = manifest.n;
    const end = this.position;
    let written = 0;
    while (from <= end) {
      const entries: IndexEntry[] = [];
      let to = from - 1;
      // Batch sizes bound the segment's size from above (retention only removes entries); the
      // last batch read may add one batch's worth: at most three batches' worth in all.
      let bytes = 0;
      while (to < end && entries.length < SEGMENT_ENTRIES && bytes < 2 * this.maxDocumentBytes) {
        const doc = await this.read(to + 1);
        to++;
        if (!doc) continue;
        const kept = entriesOf(doc, to).filter((e) => this.keeps(e, since));
        if (kept.length === 0) continue;
        entries.push(...kept);
        bytes += Buffer.byteLength(doc.data);
      }
      n++;
      await this.models.Segment.collection.insertOne({
        _id: segmentId(n),
        from,
        to,
        last: entries.reduce((m, e) => Math.max(m, e.f), 0),
        packed: compressEntries(entries, to),
      } as never);
      await this.models.Counter.collection.updateOne(
        { _id: 'segments' as never },
        { $set: { n, to } },
        { upsert: true },
      );
      this.segmentsRead = n;
      written++;
      from = to + 1;
    }
    if (written > 0) {
      await this.models.Journal.collection.deleteMany({ _id: { $lte: journalId(end) } as never });
    }
    return written;
  }

  /**
   * Delete the oldest segments while every article in them is past retention, so that the
   * segments, and what a starting process reads, follow the archive rather than its history.
   * Segments are in storage order: the first one with a recent article stops the pruning.
   */
  private async prune(pruned: number, written: number): Promise<void> {
    const since = this.keptSince();
    let k = pruned;
    // The newest segment stays: it holds the manifest's place, and a reader's position.
    while (k + 1 < written) {
      const last = await this.newestIn(k + 1);
      if (last !== null && last >= since) break;
      await this.models.Segment.collection.deleteOne({ _id: segmentId(k + 1) as never });
      k++;
    }
    if (k > pruned) {
      await this.models.Counter.collection.updateOne(
        { _id: 'segments' as never },
        { $set: { pruned: k } },
        { upsert: true },
      );
    }
  }

  /** Newest storage time in segment `n`, or null when it is gone. */
  private async newestIn(n: number): Promise<number | null> {
    const head = (await this.models.Segment.collection.findOne(
      { _id: segmentId(n) as never },
      { projection: { last: 1 } },
    )) as unknown as Pick<SegmentDoc, 'last'> | null;
    if (!head) return null;
    if (head.last !== undefined) return head.last;
    const seg = (await this.models.Segment.collection.findOne({
      _id: segmentId(n) as never,
    })) as unknown as SegmentDoc | null;
    if (!seg) return null;
    const contents = segmentContents(seg);
    return Array.isArray(contents)
      ? contents.reduce((m, e) => Math.max(m, e.f), 0)
      : contents.fetched.reduce((m, f) => Math.max(m, f), 0);
  }
}
