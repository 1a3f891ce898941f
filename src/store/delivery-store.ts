import type { OutgoingMessage } from '../domain/types.ts';
import type { Models } from './models.ts';

/** A recorded delivery: one (chat, digest) message, rendered into platform parts by the sender. */
export interface Delivery {
  /** `${chatKey}|${digestKey}` */
  id: string;
  chatKey: string;
  digestKey: string;
  message: OutgoingMessage;
  createdAt: Date;
}

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

const partId = (id: string, n: number) => `${id}#p${n}`;
const doneId = (id: string) => `${id}#done`;

/**
 * Deliveries, insert-only. The delivery itself is inserted once (`_id` = chat|digest: a second
 * insert fails with 11000, which makes building a digest idempotent); progress is recorded by
 * inserting small marker documents (`…#p<n>` per part sent, `…#done`), because on FerretDB an
 * update scans the collection while an insert or an `_id` read does not.
 */
export class DeliveryStore {
  constructor(private readonly models: Models) {}

  /** Record a delivery; false when it was recorded before (then nothing changes). */
  async create(d: Delivery): Promise<boolean> {
    return this.insert({
      _id: d.id,
      chatKey: d.chatKey,
      digestKey: d.digestKey,
      status: 'pending',
      message: d.message,
      partsSent: 0,
      attempts: 0,
      lastError: null,
      createdAt: d.createdAt,
      sentAt: null,
    });
  }

  async get(id: string): Promise<Delivery | null> {
    const d = (await this.models.Delivery.collection.findOne({ _id: id as never })) as unknown as {
      _id: string;
      chatKey: string;
      digestKey: string;
      message: OutgoingMessage;
      createdAt: Date;
    } | null;
    if (!d) return null;
    return {
      id: d._id,
      chatKey: d.chatKey,
      digestKey: d.digestKey,
      message: d.message,
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

  /** Part `n` reached the platform. */
  async markPart(d: Delivery, n: number): Promise<void> {
    await this.insert(this.marker(d, partId(d.id, n), 'part', n));
  }

  /** Finished: every part sent, or given up (`failed`, with a reason). */
  async markDone(
    d: Delivery,
    status: 'sent' | 'failed' | 'skipped',
    reason: string | null = null,
  ): Promise<void> {
    await this.insert({ ...this.marker(d, doneId(d.id), status, null), lastError: reason });
  }

  /** Deliveries without a done marker (start-up rebuild; scans once). */
  async pending(): Promise<Delivery[]> {
    const docs = (await this.models.Delivery.collection
      .find({ status: 'pending' })
      .toArray()) as unknown as Array<{
      _id: string;
      chatKey: string;
      digestKey: string;
      message: OutgoingMessage;
      createdAt: Date;
    }>;
    const open = await Promise.all(docs.map(async (d) => ((await this.isDone(d._id)) ? null : d)));
    return open
      .filter((d) => d !== null)
      .map((d) => ({
        id: d._id,
        chatKey: d.chatKey,
        digestKey: d.digestKey,
        message: d.message,
        createdAt: d.createdAt,
      }));
  }

  /** Delete deliveries and their markers created before `cutoff`; how many documents went. */
  async deleteCreatedBefore(cutoff: Date): Promise<number> {
    const res = await this.models.Delivery.collection.deleteMany({ createdAt: { $lt: cutoff } });
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
