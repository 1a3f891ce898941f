import type { OutgoingMessage } from '../domain/types.ts';
import { deflateJson, inflateJson } from './deflated-json.ts';
import { InsertBatcher, insertManyNew } from './insert-batcher.ts';
import type { Models } from './models.ts';

/** A recorded delivery: one (chat, digest) message, rendered into platform parts by the sender. */
export interface Delivery {
  /** `${chatKey}|${digestKey}` */
  id: string;
  chatKey: string;
  digestKey: string;
  message: OutgoingMessage;
  createdAt: Date;
  /**
   * The message packed ({@link packMessage}) by whoever built it, so that recording it and
   * carrying it in its job deflate it once.
   */
  packed?: Uint8Array;
}

/** A delivery with its message packed. */
export type PackedDelivery = Delivery & { packed: Uint8Array };

/** Progress of a delivery, read from its marker documents. */
export interface DeliveryProgress {
  done: boolean;
  /** Number of leading parts known to be sent. */
  partsSent: number;
}

/** `${chatKey}|${digestKey}` */
export function deliveryIdOf(chatKey: string, digestKey: string): string {
  return `${chatKey}|${digestKey}`;
}

/** Largest stored message inflated (a digest is tens of kB at most). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** A message as the driver reads it: BSON binary (deflated JSON), or what was recorded before. */
export type StoredMessage = { _bsontype: 'Binary'; value(): Uint8Array } | OutgoingMessage | string;

/**
 * A message as it is stored and carried in its fresh job: deflated JSON, several times smaller
 * than its JSON text.
 */
export function packMessage(message: OutgoingMessage): Buffer {
  return deflateJson(message);
}

/** The message of {@link packMessage}'s bytes (a bad_input error when they do not inflate). */
export function unpackMessage(bytes: Uint8Array): OutgoingMessage {
  return inflateJson(bytes, MAX_MESSAGE_BYTES, 'a delivery message') as OutgoingMessage;
}

/**
 * A stored message: deflated JSON; JSON text or an embedded document in deliveries recorded
 * before (exported for benchmarks that read deliveries in bulk).
 */
export function messageOf(stored: StoredMessage): OutgoingMessage {
  if (typeof stored === 'string') return JSON.parse(stored) as OutgoingMessage;
  if ('_bsontype' in stored && stored._bsontype === 'Binary') return unpackMessage(stored.value());
  return stored as OutgoingMessage;
}

const partId = (id: string, n: number) => `${id}#p${n}`;
const doneId = (id: string) => `${id}#done`;

/**
 * Deliveries, insert-only. The delivery itself is inserted once (`_id` = chat|digest: a second
 * insert fails with 11000, which makes building a digest idempotent); progress is recorded by
 * inserting small marker documents (`…#p<n>` per part sent, `…#done`), because on FerretDB an
 * update scans the collection while an insert or an `_id` read does not. Unfinished deliveries
 * also have a marker in `deliveries_open`, deleted when they are done, so finding them reads only
 * those.
 */
export class DeliveryStore {
  private backfilled = false;
  /** Progress markers of sends, stored in batches (one `insertMany` for many messages). */
  private readonly markers: InsertBatcher;

  constructor(private readonly models: Models) {
    this.markers = new InsertBatcher(() => this.models.Delivery.collection as never);
  }

  /** Record a delivery; false when it was recorded before (then nothing changes). */
  async create(d: Delivery): Promise<boolean> {
    return (await this.createMany([d])).has(d.id);
  }

  /**
   * Record many deliveries in two writes (their open markers first, as in {@link create}); returns
   * the ids recorded now — the others were recorded before and nothing of them changed.
   */
  async createMany(ds: readonly Delivery[]): Promise<Set<string>> {
    if (ds.length === 0) return new Set();
    // The open markers first: a crash between the two writes leaves markers the sweep drops,
    // never a delivery nobody finishes.
    await insertManyNew(
      this.models.OpenDelivery.collection as never,
      ds.map((d) => ({ _id: d.id, chatKey: d.chatKey, createdAt: d.createdAt })),
    );
    const stored = await insertManyNew(
      this.models.Delivery.collection as never,
      ds.map((d) => ({
        _id: d.id,
        chatKey: d.chatKey,
        digestKey: d.digestKey,
        status: 'pending',
        // Deflated JSON: FerretDB's cost grows with a document's fields and bytes (a 30-item
        // digest: 0.92 ms nested, 0.43 ms as 8 kB of text, 0.11 ms deflated).
        message: d.packed ?? packMessage(d.message),
        partsSent: 0,
        attempts: 0,
        lastError: null,
        createdAt: d.createdAt,
        sentAt: null,
      })),
    );
    return new Set([...stored].map((i) => ds[i]!.id));
  }

  async get(id: string): Promise<Delivery | null> {
    const d = (await this.models.Delivery.collection.findOne({ _id: id as never })) as unknown as {
      _id: string;
      chatKey: string;
      digestKey: string;
      message: StoredMessage;
      createdAt: Date;
    } | null;
    if (!d) return null;
    return {
      id: d._id,
      chatKey: d.chatKey,
      digestKey: d.digestKey,
      message: messageOf(d.message),
      createdAt: d.createdAt,
    };
  }

  /** What has been sent of a delivery of `parts` parts (at most `parts` + 1 `_id` reads). */
  async progress(id: string, parts: number): Promise<DeliveryProgress> {
    const col = this.models.Delivery.collection;
    if (await col.findOne({ _id: doneId(id) as never }, { projection: { _id: 1 } })) {
      return { done: true, partsSent: parts };
    }
    let n = 0;
    while (n < parts && (await col.findOne({ _id: partId(id, n) as never }, { projection: { _id: 1 } }))) n++;
    return { done: false, partsSent: n };
  }

  async isDone(id: string): Promise<boolean> {
    return Boolean(
      await this.models.Delivery.collection.findOne({ _id: doneId(id) as never }, { projection: { _id: 1 } }),
    );
  }

  /**
   * Part `n` reached the platform (`anchor`: where the delivery went, when the platform said);
   * with `last`, the delivery is done. Both markers go in the next batch of inserts: one write
   * per message. The open marker is dropped later, off the send path (see {@link pending}).
   */
  async recordSent(d: Delivery, n: number, anchor: string | null, last: boolean): Promise<void> {
    const part = { ...this.marker(d, partId(d.id, n), 'part', n), anchor };
    if (!last) return this.markers.insert(part);
    return this.markers.insert(part, { ...this.marker(d, doneId(d.id), 'sent', null), lastError: null });
  }

  /** Where part 0 of a delivery went (e.g. the forum post it opened); one `_id` read. */
  async anchorOf(id: string): Promise<string | null> {
    const doc = (await this.models.Delivery.collection.findOne(
      { _id: partId(id, 0) as never },
      { projection: { anchor: 1 } },
    )) as { anchor?: unknown } | null;
    return typeof doc?.anchor === 'string' ? doc.anchor : null;
  }

  /** Finished: every part sent, or given up (`failed`, with a reason). */
  async markDone(
    d: Delivery,
    status: 'sent' | 'failed' | 'skipped',
    reason: string | null = null,
  ): Promise<void> {
    await this.insert({ ...this.marker(d, doneId(d.id), status, null), lastError: reason });
    await this.models.OpenDelivery.collection.deleteOne({ _id: d.id as never });
  }

  /**
   * Deliveries not finished: read from the small open-marker collection, each delivery by `_id`.
   * Markers whose delivery is done or gone are dropped on the way.
   */
  async pending(): Promise<Delivery[]> {
    await this.backfillOpen();
    const markers = (await this.models.OpenDelivery.collection.find({}).toArray()) as unknown as Array<{
      _id: string;
    }>;
    const out: Delivery[] = [];
    for (const m of markers) {
      const d = (await this.isDone(m._id)) ? null : await this.get(m._id);
      if (d) out.push(d);
      else await this.models.OpenDelivery.collection.deleteOne({ _id: m._id as never });
    }
    return out;
  }

  /** Open markers for deliveries recorded before they existed (once per database). */
  private async backfillOpen(): Promise<void> {
    if (this.backfilled) return;
    const counters = this.models.Counter.collection;
    if (!(await counters.findOne({ _id: 'deliveries-open-v1' as never }))) {
      const docs = (await this.models.Delivery.collection
        .find({ status: 'pending' }, { projection: { _id: 1, chatKey: 1, createdAt: 1 } })
        .toArray()) as unknown as Array<{ _id: string; chatKey: string; createdAt: Date }>;
      for (const d of docs) if (!(await this.isDone(d._id))) await this.open(d._id, d.chatKey, d.createdAt);
      try {
        await counters.updateOne(
          { _id: 'deliveries-open-v1' as never },
          { $set: { n: 1 } },
          { upsert: true },
        );
      } catch (err) {
        // Another process recorded the backfill at the same moment (FerretDB: a duplicate key).
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    this.backfilled = true;
  }

  private async open(id: string, chatKey: string, createdAt: Date): Promise<void> {
    try {
      await this.models.OpenDelivery.collection.insertOne({ _id: id, chatKey, createdAt } as never);
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  /** Delete deliveries and their markers created before `cutoff`; how many documents went. */
  async deleteCreatedBefore(cutoff: Date): Promise<number> {
    const res = await this.models.Delivery.collection.deleteMany({ createdAt: { $lt: cutoff } });
    await this.models.OpenDelivery.collection.deleteMany({ createdAt: { $lt: cutoff } });
    return res.deletedCount;
  }

  /** Every message part recorded as sent, by delivery id (tests and benchmarks). */
  async sentParts(): Promise<Map<string, number>> {
    const docs = (await this.models.Delivery.collection
      .find({ status: 'part' })
      .toArray()) as unknown as Array<{
      chatKey: string;
      digestKey: string;
    }>;
    const out = new Map<string, number>();
    for (const d of docs) {
      const id = deliveryIdOf(d.chatKey, d.digestKey);
      out.set(id, (out.get(id) ?? 0) + 1);
    }
    return out;
  }

  private marker(d: Delivery, id: string, status: string, part: number | null): Record<string, unknown> {
    return {
      _id: id,
      chatKey: d.chatKey,
      digestKey: d.digestKey,
      status,
      message: {},
      partsSent: part === null ? 0 : part + 1,
      attempts: 0,
      lastError: null,
      createdAt: new Date(),
      sentAt: new Date(),
    };
  }

  private async insert(doc: Record<string, unknown>): Promise<boolean> {
    try {
      await this.models.Delivery.collection.insertOne(doc as never);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
}
