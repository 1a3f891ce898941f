/**
 * Bulk work runs under V8's own heap policy, not the bound a `serve` process keeps on a small heap
 * (decision 0019): bounded growth slowed a 100,000-chat build by about a tenth and a paid
 * broadcast by about a fifth. The digest worker hands group builds, and only those, to
 * `bulkWork`; the deliver worker hands it every job, asking V8's policy to stay a few seconds
 * after it, through a broadcast.
 */
import { Queue, QueueEvents, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliverQueues } from '../../jobs/deliver-queue.ts';
import { startDeliverWorker } from '../../jobs/deliver-worker.ts';
import { startDigestWorker } from '../../jobs/digest-queue.ts';
import { createRedis, deliverQueueName, QUEUE } from '../../jobs/queues.ts';
import type { DeliveryJobRef, PlatformSender } from '../../src/delivery/platform-sender.ts';
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

/**
 * Starts `start`'s worker on queue `name`, gives `use` a function that adds a job (named `job`)
 * and waits until it is finished, then closes the worker and what `start` asked to close.
 */
async function withWorker(
  name: string,
  start: (connection: Redis, prefix: string, closeLater: (close: () => Promise<void>) => void) => Worker,
  use: (run: (job: string, data: Record<string, unknown>) => Promise<void>) => Promise<void>,
): Promise<void> {
  const connection = createRedis(t.config.REDIS_URL);
  const prefix = t.config.QUEUE_PREFIX;
  const closers: Array<() => Promise<void>> = [];
  const worker = start(connection, prefix, (close) => closers.push(close));
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection: createRedis(t.config.REDIS_URL), prefix });
  try {
    await events.waitUntilReady();
    await use(async (job, data) => {
      const added = await queue.add(job, data);
      await added.waitUntilFinished(events, 15_000);
    });
  } finally {
    await worker.close();
    for (const close of closers) await close();
    await queue.close();
    await events.close();
    connection.disconnect();
  }
}

describe('digest bulk work', () => {
  it('a group job runs through bulkWork, a single chat’s job does not', async () => {
    const bulk: string[] = [];
    await withWorker(
      QUEUE.digest,
      (connection, prefix) =>
        startDigestWorker({
          connection,
          prefix,
          digests: t.core.digests,
          log: t.core.log,
          lockMs: 30_000,
          bulkWork: async (work) => {
            bulk.push('group');
            return work();
          },
        }),
      async (run) => {
        await run('digest', { time: '08:00', timezone: 'Asia/Shanghai' });
        expect(bulk).toEqual(['group']);
        await run('digest', { chatKey: 'telegram:404', slot: Date.UTC(2026, 11, 3, 0, 0) });
        expect(bulk).toEqual(['group']);
      },
    );
  });
});

describe('deliver bulk work', () => {
  it('every deliver job runs through bulkWork, lingering after it', async () => {
    const calls: Array<number | undefined> = [];
    // The job's delivery was never recorded: the service settles it without sending anything.
    const sender: PlatformSender = {
      platform: 'telegram',
      partCount: () => 1,
      sendPart: async () => {
        throw new Error('nothing is sent for a delivery that does not exist');
      },
    };
    await withWorker(
      deliverQueueName('telegram'),
      (connection, prefix, closeLater) => {
        const queues = new DeliverQueues(connection, prefix);
        closeLater(() => queues.close());
        return startDeliverWorker({
          sender,
          connection,
          prefix,
          queues,
          service: t.core.deliveries,
          gate: async () => 0,
          lockMs: 30_000,
          ratePerSecond: 30,
          log: t.core.log,
          bulkWork: async (work, lingerMs) => {
            calls.push(lingerMs);
            return work();
          },
        });
      },
      async (run) => {
        await run('deliver', {
          deliveryId: 'telegram:1|slot-1',
          chatKey: 'telegram:1',
          platform: 'telegram',
          part: 0,
        });
        expect(calls).toHaveLength(1);
        expect(calls[0]).toBeGreaterThanOrEqual(1000);
      },
    );
  });
});

describe('the heap policy’s bulk work', () => {
  it('runs under V8’s own policy, and the bound returns after it', async () => {
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

  it('keeps V8’s own policy for the linger after bulk work, then the bound returns', async () => {
    const growth = boundHeapGrowth(20, 100_000);
    try {
      expect(growth.bounded).toBe(true);
      await growth.relaxed(async () => {}, 1500);
      expect(growth.bounded).toBe(false);
      // The once-a-second look ends the linger.
      await new Promise((r) => setTimeout(r, 3000));
      expect(growth.bounded).toBe(true);
    } finally {
      growth.stop();
    }
  });
});
