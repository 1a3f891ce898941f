import type { Collection } from 'mongodb';

/** A document to insert and the callers waiting for it. */
interface Pending {
  doc: Record<string, unknown>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces single-document inserts into `insertMany` calls: a caller's promise resolves once its
 * document is stored (or was stored before: a duplicate `_id` counts as done). On FerretDB an
 * insert of one small document costs about as much as an insert of fifty, so under load (a
 * broadcast) this turns hundreds of writes a second into a few.
 */
export class InsertBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly collection: () => Collection,
    private readonly opts: { maxDocs: number; maxWaitMs: number } = { maxDocs: 200, maxWaitMs: 10 },
  ) {}

  /** Insert `docs` (in the next batch); resolves when they are stored. */
  insert(...docs: Array<Record<string, unknown>>): Promise<void> {
    return Promise.all(
      docs.map(
        (doc) =>
          new Promise<void>((resolve, reject) => {
            this.queue.push({ doc, resolve, reject });
            if (this.queue.length >= this.opts.maxDocs) void this.flush();
            else this.timer ??= setTimeout(() => void this.flush(), this.opts.maxWaitMs);
          }),
      ),
    ).then(() => undefined);
  }

  /** Write what is queued now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      await this.collection().insertMany(
        batch.map((p) => p.doc),
        { ordered: false },
      );
      for (const p of batch) p.resolve();
    } catch (err) {
      const failed = failedIndexes(err);
      batch.forEach((p, i) => {
        const code = failed?.get(i);
        if (failed === null || (code !== undefined && code !== 11000)) p.reject(err);
        else p.resolve();
      });
    }
  }
}

/**
 * Insert `docs` in one unordered `insertMany`; returns the indexes of the documents stored now
 * (a duplicate `_id` was stored before: left out). Any other refusal throws.
 */
export async function insertManyNew(
  collection: Collection,
  docs: ReadonlyArray<Record<string, unknown>>,
): Promise<Set<number>> {
  const stored = new Set(docs.map((_, i) => i));
  if (docs.length === 0) return stored;
  try {
    await collection.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    const failed = failedIndexes(err);
    if (failed === null || failed.size === 0) throw err;
    for (const [i, code] of failed) {
      if (code !== 11000) throw err;
      stored.delete(i);
    }
  }
  return stored;
}

/** Indexes of the documents a bulk insert refused, with their error codes; null when unknown. */
function failedIndexes(err: unknown): Map<number, number> | null {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  if (!Array.isArray(writeErrors) && !(writeErrors && typeof writeErrors === 'object')) return null;
  const list = Array.isArray(writeErrors) ? writeErrors : Object.values(writeErrors as object);
  const out = new Map<number, number>();
  for (const e of list as Array<{ index?: number; code?: number; err?: { index?: number; code?: number } }>) {
    const index = e.index ?? e.err?.index;
    const code = e.code ?? e.err?.code;
    if (typeof index === 'number') out.set(index, typeof code === 'number' ? code : -1);
  }
  return out;
}
