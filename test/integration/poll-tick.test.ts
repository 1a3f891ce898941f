import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueDueSources, pollSlot } from '../../jobs/poll-scheduler.ts';
import { createRedis, type FetchPayload, jobIdFor, QUEUE } from '../../jobs/queues.ts';
import type { DueSource } from '../../src/domain/types.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
let queue: Queue<FetchPayload>;

beforeAll(async () => {
  t = await createTestCore();
  queue = new Queue<FetchPayload>(QUEUE.fetch, {
    connection: createRedis(t.config.REDIS_URL),
    prefix: t.config.QUEUE_PREFIX,
  });
});

afterAll(async () => {
  await queue?.close();
  await t?.cleanup();
});

describe('poll tick', () => {
  it('reads due sources in batches of id and interval, and enqueues each batch before it reads the next', async () => {
    // Added sources are due from the moment they are added.
    const now = Date.now() + 5000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await t.stores.sources.add({
        url: `https://tick.example.cn/${i}.xml`,
        name: `批次${i}`,
        kind: 'rss',
        intervalSec: 600 + i,
      });
      ids.push(s.id);
    }
    // Seen keys are what makes a source document large; the tick must not read them.
    await t.stores.sources.recordSuccess(ids[0]!, {
      etag: null,
      lastModified: null,
      newKeys: ['k1', 'k2'],
      seen: [],
      at: new Date(now - 1000),
    });
    const later = await t.stores.sources.add({
      url: 'https://tick.example.cn/later.xml',
      name: '稍后',
      kind: 'rss',
      intervalSec: 600,
    });
    await t.db.models.Source.collection.updateOne({ _id: later.id as never }, {
      $set: { nextFetchAt: new Date(now + 60_000) },
    } as never);

    const batches: DueSource[][] = [];
    const queuedWhenAsked: number[] = [];
    const sources = {
      async *due(at: number) {
        for await (const batch of t.core.sources.due(at, 2)) {
          batches.push(batch);
          yield batch;
          queuedWhenAsked.push(await queue.count());
        }
      },
    };
    const result = await enqueueDueSources(sources, queue, now);

    expect(result).toEqual({ due: 5, enqueued: 5 });
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    for (const s of batches.flat()) expect(Object.keys(s).sort()).toEqual(['id', 'intervalSec']);
    expect(
      batches
        .flat()
        .map((s) => s.id)
        .sort(),
    ).toEqual([...ids].sort());
    // Each batch was in the queue before the next was read.
    expect(queuedWhenAsked).toEqual([2, 4, 5]);
    const first = batches[0]![0]!;
    const job = await queue.getJob(jobIdFor('fetch', first.id, pollSlot(first, now)));
    expect(job?.data).toEqual({ sourceId: first.id, slot: pollSlot(first, now) });
  });
});
