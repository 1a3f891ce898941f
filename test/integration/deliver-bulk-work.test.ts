/**
 * Sending runs as bulk work under the process's heap policy (decision 0019): bounded heap growth
 * cost a paid broadcast about a fifth of its rate, so the deliver worker hands every job to
 * `bulkWork`, asking V8's own policy to stay a few seconds after it, through a broadcast.
 */
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliverQueues } from '../../jobs/deliver-queue.ts';
import { startDeliverWorker } from '../../jobs/deliver-worker.ts';
import { createRedis, deliverQueueName } from '../../jobs/queues.ts';
import type { PlatformSender } from '../../src/delivery/platform-sender.ts';
import { boundHeapGrowth } from '../../src/heap-growth.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;

beforeAll(async () => {
  t = await createTestCore();
});
afterAll(async () => {
  await t?.cleanup();
});

describe('deliver bulk work', () => {
  it('every deliver job runs through bulkWork, lingering after it', async () => {
    const connection = createRedis(t.config.REDIS_URL);
    const prefix = t.config.QUEUE_PREFIX;
    const calls: Array<number | undefined> = [];
    // The job's delivery was never recorded: the service settles it without sending anything.
    const sender: PlatformSender = {
      platform: 'telegram',
      partCount: () => 1,
      sendPart: async () => {
        throw new Error('nothing is sent for a delivery that does not exist');
      },
    };
    const queues = new DeliverQueues(connection, prefix);
    const worker = startDeliverWorker({
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
    const queue = new Queue(deliverQueueName('telegram'), { connection, prefix });
    const events = new QueueEvents(deliverQueueName('telegram'), {
      connection: createRedis(t.config.REDIS_URL),
      prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('deliver', {
        deliveryId: 'telegram:1|slot-1',
        chatKey: 'telegram:1',
        platform: 'telegram',
        part: 0,
      });
      await job.waitUntilFinished(events, 15_000);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toBeGreaterThanOrEqual(1000);
    } finally {
      await worker.close();
      await queue.close();
      await events.close();
      await queues.close();
      connection.disconnect();
    }
  });

  it('V8’s own policy stays for the linger after bulk work, then the bound returns', async () => {
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
