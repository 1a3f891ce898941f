/**
 * Finding unfinished deliveries reads only those: each has a small open marker that is deleted when
 * it is done. Before, every delivery stayed `pending` and the 10-minute sweep loaded every
 * delivery of the retention period, message bodies included.
 */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../src/domain/types.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Delivery } from '../../src/store/delivery-store.ts';
import { DeliveryStore } from '../../src/store/delivery-store.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;

const message: OutgoingMessage = {
  kind: 'digest',
  locale: 'en',
  heading: 'Digest',
  groups: [],
  threadId: null,
  timezone: 'UTC',
};
const delivery = (n: number, createdAt = new Date()): Delivery => ({
  id: `telegram:${n}|slot-1`,
  chatKey: `telegram:${n}`,
  digestKey: 'slot-1',
  message,
  createdAt,
});

/** Insert `d` as an earlier version recorded it: no open marker, its message as `stored`. */
function insertRecordedBefore(into: TestCore, d: Delivery, stored: unknown): Promise<unknown> {
  return into.db.models.Delivery.collection.insertOne({
    _id: d.id,
    chatKey: d.chatKey,
    digestKey: d.digestKey,
    status: 'pending',
    message: stored,
    partsSent: 0,
    attempts: 0,
    lastError: null,
    createdAt: d.createdAt,
    sentAt: null,
  } as never);
}

beforeAll(async () => {
  t = await createTestCore();
});
afterAll(async () => {
  await t?.cleanup();
});

describe('delivery store', () => {
  it('keeps an open marker exactly for the deliveries not done, and lists only those', async () => {
    const store = t.stores.deliveries;
    for (let n = 1; n <= 5; n++) expect(await store.create(delivery(n))).toBe(true);
    expect(await store.create(delivery(1))).toBe(false); // recorded once
    await store.recordSent(delivery(1), 0, null, false);
    await store.markDone(delivery(1), 'sent');
    await store.markDone(delivery(2), 'failed', 'rejected');
    await store.markDone(delivery(3), 'skipped');
    const open = t.db.models.OpenDelivery.collection;
    expect((await open.find({}).toArray()).map((d) => d._id).sort()).toEqual([
      'telegram:4|slot-1',
      'telegram:5|slot-1',
    ]);
    expect((await store.pending()).map((d) => d.id).sort()).toEqual([
      'telegram:4|slot-1',
      'telegram:5|slot-1',
    ]);
  });

  it('gives deliveries recorded before the open markers existed a marker, once', async () => {
    const before = await createTestCore(); // a database written by the previous version
    const old = delivery(9);
    await insertRecordedBefore(before, old, message);
    try {
      // The message of an older delivery is an embedded document: it reads back as it was.
      expect((await before.stores.deliveries.pending()).map((d) => [d.id, d.message])).toEqual([
        [old.id, message],
      ]);
      expect(await before.db.models.OpenDelivery.collection.countDocuments()).toBe(1);
      await before.stores.deliveries.markDone(old, 'sent');
      expect(await before.stores.deliveries.pending()).toEqual([]);
    } finally {
      await before.cleanup();
    }
  });

  it('stores the message as deflated JSON and reads it back whole, and reads one recorded as text before', async () => {
    const rich: OutgoingMessage = {
      ...message,
      locale: 'zh-Hant',
      heading: '新聞摘要',
      groups: [
        {
          sourceName: '港聞臺',
          items: [
            {
              articleId: 'a1',
              title: '臺灣選舉結果公佈 <b>&',
              url: 'https://example.hk/1?a=1&b=2',
              sourceName: '港聞臺',
              publishedAt: '2026-12-03T08:00:00.000Z',
              alsoReportedBy: ['明報'],
              format: 'summary',
              summary: '第 101 期 😀',
            },
          ],
        },
      ],
      previews: true,
    };
    const d = { ...delivery(30), message: rich };
    await t.stores.deliveries.create(d);
    const raw = await t.db.models.Delivery.collection.findOne({ _id: d.id as never });
    expect(raw?.message?._bsontype).toBe('Binary');
    expect(raw?.message.value().length).toBeLessThan(Buffer.byteLength(JSON.stringify(rich)));
    expect((await t.stores.deliveries.get(d.id))?.message).toEqual(rich);

    const before = delivery(31);
    await insertRecordedBefore(t, before, JSON.stringify(rich));
    expect((await t.stores.deliveries.get(before.id))?.message).toEqual(rich);
  });

  it('processes starting together on a fresh database all find the unfinished deliveries', async () => {
    // Each one-time backfill records that it ran with an upsert: two at once made FerretDB
    // refuse one with a duplicate key, and that process's start-up requeue failed.
    for (let round = 0; round < 5; round++) {
      const fresh = await openDatabase(`mongodb://127.0.0.1:27017/test_dfresh_${randomUUID().slice(0, 8)}`);
      try {
        const stores = Array.from({ length: 4 }, () => new DeliveryStore(fresh.models));
        await expect(Promise.all(stores.map((s) => s.pending()))).resolves.toEqual([[], [], [], []]);
      } finally {
        await fresh.drop();
        await fresh.close();
      }
    }
  });

  it('retention drops the open markers of deliveries it deletes', async () => {
    const ancient = delivery(20, new Date(Date.now() - 90 * 86_400_000));
    await t.stores.deliveries.create(ancient);
    await t.stores.deliveries.deleteCreatedBefore(new Date(Date.now() - 60 * 86_400_000));
    expect(await t.db.models.OpenDelivery.collection.findOne({ _id: ancient.id as never })).toBeNull();
  });

  it('records sends in batches: every caller is answered once its marker is stored, duplicates included', async () => {
    const store = t.stores.deliveries;
    const ds = Array.from({ length: 300 }, (_, n) => delivery(1000 + n));
    for (const d of ds) await store.create(d);
    // 300 messages at once, one of them recorded twice (a retried job): one batch of writes each.
    await Promise.all([
      ...ds.map((d) => store.recordSent(d, 0, null, true)),
      store.recordSent(ds[0]!, 0, null, true),
    ]);
    for (const d of ds.slice(0, 20)) expect(await store.isDone(d.id)).toBe(true);
    const parts = await store.sentParts();
    expect(ds.every((d) => parts.get(d.id) === 1)).toBe(true);
    // Their open markers go when the sweep next lists what is pending.
    expect(
      (await store.pending()).map((d) => d.id).filter((id) => id.startsWith('telegram:1')),
    ).not.toContain(ds[0]!.id);
  });
});
