import type { Models } from './models.ts';
import type { IndexEntry, SearchIndex } from './search-index.ts';

/** How long a reserved but never written journal number blocks readers before it is skipped. */
const GAP_PATIENCE_MS = 30_000;
const PROBE_AHEAD = 8;
const READ_WINDOW = 16;

function journalId(seq: number): string {
  return `j${seq.toString().padStart(12, '0')}`;
}

/**
 * The search journal: an append-only sequence of immutable batches in MongoDB (`index_journal`),
 * one per ingest batch, read by `_id` only. Writers reserve a number with `$inc` on a one-document
 * counter and insert the batch; readers follow the sequence and fold it into their in-memory
 * {@link SearchIndex}. Inserts and `_id` reads are the operations FerretDB does without a
 * collection scan, so search stays fast on FerretDB as on MongoDB
 * (docs/decisions/0001-search-journal.md).
 */
export class SearchJournal {
  private position = 0;
  private gapSince: number | null = null;
  private refreshing: Promise<number> | null = null;

  constructor(
    private readonly models: Models,
    readonly index: SearchIndex,
  ) {}

  /** Append a batch and apply it to this process's index at once. */
  async append(entries: IndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const counter = await this.models.Counter.collection.findOneAndUpdate(
      { _id: 'journal' as never },
      { $inc: { n: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    const seq = (counter as unknown as { n: number } | null)?.n;
    if (!seq) throw new Error('journal counter returned no value');
    await this.models.Journal.collection.insertOne({ _id: journalId(seq), at: new Date(), entries } as never);
    this.index.add(entries);
  }

  /** Read every batch written since the last refresh; returns how many batches were applied. */
  refresh(): Promise<number> {
    this.refreshing ??= this.readAhead().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async readAhead(): Promise<number> {
    let applied = 0;
    for (;;) {
      const ids = Array.from({ length: READ_WINDOW }, (_, k) => this.position + 1 + k);
      const docs = await Promise.all(ids.map((seq) => this.read(seq)));
      let advanced = false;
      for (const doc of docs) {
        if (!doc) break;
        this.index.add(doc.entries);
        this.position++;
        applied++;
        advanced = true;
      }
      if (docs.every(Boolean)) continue;
      if (!advanced && !(await this.skipGap())) return applied;
      if (!advanced) continue;
    }
  }

  /** A missing number with later batches present is a writer in flight or one that crashed. */
  private async skipGap(): Promise<boolean> {
    const ahead = await Promise.all(
      Array.from({ length: PROBE_AHEAD }, (_, k) => this.read(this.position + 2 + k).then(Boolean)),
    );
    if (!ahead.some(Boolean)) {
      this.gapSince = null;
      return false;
    }
    const now = Date.now();
    this.gapSince ??= now;
    if (now - this.gapSince < GAP_PATIENCE_MS) return false;
    this.position++;
    this.gapSince = null;
    return true;
  }

  private async read(seq: number): Promise<{ entries: IndexEntry[] } | null> {
    const doc = await this.models.Journal.collection.findOne({ _id: journalId(seq) as never });
    return doc as unknown as { entries: IndexEntry[] } | null;
  }

  /** Journal number this process has read up to. */
  get readPosition(): number {
    return this.position;
  }
}
