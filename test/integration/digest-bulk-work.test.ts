/**
 * A digest group's build runs as bulk work under the process's heap policy (decision 0019):
 * bounded heap growth slowed a 100,000-chat build, so the digest worker hands group builds to
 * `bulkWork`, and only those.
 */
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDigestWorker } from '../../jobs/digest-queue.ts';
import { createRedis, QUEUE } from '../../jobs/queues.ts';
import type { DeliveryJobRef } from '../../src/delivery/platform-sender.ts';
import { boundHeapGrowth } from '../../src/heap-growth.ts';
import { createTestCore, recordingQueue, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
const queued: DeliveryJobRef[] = [];

beforeAll(async () => {
  t = await createTestCore({}, { deliveryQueue: recordingQueue(queued) });
});
afterAll(async () => {
  await t?.cleanup();
});

describe('digest bulk work', () => {
  it('a group job runs through bulkWork, a single chat’s job does not', async () => {
    const connection = createRedis(t.config.REDIS_URL);
    const prefix = t.config.QUEUE_PREFIX;
    const bulk: string[] = [];
    const worker = startDigestWorker({
      connection,
      prefix,
      digests: t.core.digests,
      log: t.core.log,
      lockMs: 30_000,
      bulkWork: async (work) => {
        bulk.push('group');
        return work();
      },
    });
    const queue = new Queue(QUEUE.digest, { connection, prefix });
    const events = new QueueEvents(QUEUE.digest, { connection: createRedis(t.config.REDIS_URL), prefix });
    try {
      await events.waitUntilReady();
      const slot = Date.UTC(2026, 11, 3, 0, 0);
      const group = await queue.add('digest', { time: '08:00', timezone: 'Asia/Shanghai' });
      await group.waitUntilFinished(events, 15_000);
      expect(bulk).toEqual(['group']);
      const chat = await queue.add('digest', { chatKey: 'telegram:404', slot });
      await chat.waitUntilFinished(events, 15_000);
      expect(bulk).toEqual(['group']);
    } finally {
      await worker.close();
      await queue.close();
      await events.close();
      connection.disconnect();
    }
  });

  it('bulk work runs under V8’s own policy, and the bound returns after it', async () => {
    const growth = boundHeapGrowth(20, 100_000);
    try {
      expect(growth.bounded).toBe(true);
      const during = await growth.relaxed(async () => growth.bounded);
      expect(during).toBe(false);
      expect(growth.bounded).toBe(true);
      await expect(
        growth.relaxed(async () => {
          throw new Error('build failed');
        }),
      ).rejects.toThrow('build failed');
      expect(growth.bounded).toBe(true);
    } finally {
      growth.stop();
    }
    expect(growth.bounded).toBe(false);
  });
});
