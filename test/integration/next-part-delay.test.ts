/**
 * A delivery's next part waits out the chat's gap in the delayed set. Before, it was enqueued at
 * once and its job slept through the gap inside one of the worker's slots: a broadcast of
 * two-part digests could fill every slot with sleeping jobs while other chats' first parts
 * waited.
 */
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_GAP_MS, createChatGate } from '../../jobs/deliver-chat-gate.ts';
import { DeliverQueues } from '../../jobs/deliver-queue.ts';
import { startDeliverWorker } from '../../jobs/deliver-worker.ts';
import { createRedis } from '../../jobs/queues.ts';
import { type ChatTarget, freshJob, type PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { OutgoingMessage } from '../../src/domain/types.ts';
import { deliveryIdOf, packMessage } from '../../src/store/delivery-store.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
beforeAll(async () => {
  t = await createTestCore();
});
afterAll(async () => {
  await t.cleanup();
});

/** Longer than the chat's gap, so a loaded CI machine still sees the part waiting. */
const PART_GAP_MS = 3 * CHAT_GAP_MS;

const message: OutgoingMessage = {
  kind: 'digest',
  locale: 'zh-Hans',
  heading: '今日新闻摘要',
  groups: [],
  threadId: null,
  timezone: 'Asia/Shanghai',
};

describe('a delivery of two parts', () => {
  it('waits for its second part in the delayed set, holding no worker slot, then sends it', async () => {
    const connection = createRedis(t.config.REDIS_URL);
    const prefix = t.config.QUEUE_PREFIX;
    const queues = new DeliverQueues(connection, prefix);
    const sent: number[] = [];
    const sender: PlatformSender = {
      platform: 'telegram',
      partCount: () => 2,
      sendPart: async (_chat, _msg, part) => {
        sent.push(part);
      },
    };
    const chat: ChatTarget = {
      key: 'telegram:7001',
      platform: 'telegram',
      chatId: '7001',
      type: 'private',
      parentKey: null,
      locale: 'zh-Hans',
    };
    const delivery = {
      id: deliveryIdOf(chat.key, 'slot-1'),
      chatKey: chat.key,
      digestKey: 'slot-1',
      message,
      packed: packMessage(message),
      createdAt: new Date(),
    };
    let worker: Worker | null = null;
    try {
      expect(await t.stores.deliveries.create(delivery)).toBe(true);
      worker = startDeliverWorker({
        sender,
        connection,
        prefix,
        queues,
        service: t.core.deliveries,
        gate: createChatGate(connection, { prefix }),
        partGapMs: PART_GAP_MS,
        lockMs: 30_000,
        ratePerSecond: 30,
        log: t.core.log,
      });
      await queues.enqueue(freshJob(delivery, chat));
      const queue = queues.queue('telegram');
      await waitFor(() => sent.length === 1);
      // The first part's job enqueues the second before it completes, so it may still be active
      // when the second shows as delayed; what must come is a moment with only the delayed one.
      const waiting = await waitFor(
        async () => {
          const counts = await queue.getJobCounts('active', 'delayed', 'wait');
          return counts.delayed === 1 && counts.active === 0 ? counts : null;
        },
        PART_GAP_MS / 2,
        { message: 'the second part is not alone in the delayed set' },
      );
      expect(waiting).toEqual({ active: 0, delayed: 1, wait: 0 });
      await waitFor(() => sent.length === 2, PART_GAP_MS + 5_000);
      expect(sent).toEqual([0, 1]);
      // The last part's marker goes in the store's next batch of inserts.
      await waitFor(async () => (await t.stores.deliveries.progress(delivery.id, 2)).done);
    } finally {
      await worker?.close();
      await queues.close();
      connection.disconnect();
    }
  });
});
