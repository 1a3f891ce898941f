/**
 * A scheduled digest is recorded, enqueued, and only then its chat marked: when the enqueue fails
 * (Redis gone, the worker killed), the job that runs again builds the chat once more and enqueues
 * the recorded delivery. Marking first left a chat marked for the slot whose digest waited for the
 * 10-minute sweep (a topology test saw one chat of 2,000 without its digest after a worker kill).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoreInternals, createCoreInternals } from '../../src/core.ts';
import type { DeliveryJobRef } from '../../src/delivery/platform-sender.ts';
import { createLogger } from '../../src/log.ts';
import { storeArticles, testArticle } from '../helpers/articles.ts';
import { type TestEnv, testEnv } from '../helpers/test-env.ts';

let env: TestEnv;
let x: CoreInternals;
const queued: DeliveryJobRef[] = [];
let failEnqueue = false;

beforeAll(async () => {
  env = testEnv();
  x = await createCoreInternals(env.config, createLogger('silent'), {
    deliveryQueue: {
      enqueue: async (ref) => void queued.push(ref),
      enqueueMany: async (refs) => {
        if (failEnqueue) {
          failEnqueue = false;
          throw new Error('Connection is closed.');
        }
        queued.push(...refs);
      },
    },
  });
});
afterAll(async () => {
  await x.core.close();
  await env.drop();
});

describe('recording a scheduled digest', () => {
  it('a failed enqueue leaves the chat unmarked: the job run again enqueues the recorded digest, once', async () => {
    const source = await x.stores.sources.add({
      url: 'https://order.example.cn/rss.xml',
      name: '次序日报',
      kind: 'rss',
      intervalSec: 600,
    });
    const key = 'telegram:9101';
    await x.core.chats.ensure({
      platform: 'telegram',
      chatId: '9101',
      type: 'private',
      locale: 'zh-Hans',
      timezone: 'UTC',
    });
    await x.core.chats.subscribe(key, { sourceId: source.id });
    await storeArticles(
      x,
      testArticle({
        sourceId: source.id,
        url: 'https://order.example.cn/1.htm',
        title: '港珠澳大桥客流创新高',
      }),
    );
    const slot = Math.floor(Date.now() / 60_000) * 60_000;

    failEnqueue = true;
    await expect(x.core.digests.runScheduled(key, slot)).rejects.toThrow('Connection is closed');
    expect(queued).toEqual([]);
    expect((await x.core.chats.get(key))!.lastDigestSlot).toBeNull();

    expect(await x.core.digests.runScheduled(key, slot)).toBe('queued');
    // The delivery was recorded by the failed run: enqueued now, not fresh (it reads its progress).
    expect(queued).toEqual([expect.objectContaining({ chatKey: key, part: 0, fresh: false })]);
    expect(await x.core.digests.runScheduled(key, slot)).toBe('skipped');
    expect(queued).toHaveLength(1);
  });
});
