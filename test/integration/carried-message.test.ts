/**
 * What a fresh deliver job keeps in Redis: its message packed as recorded (deflated JSON in
 * base64), so a queued broadcast of 100,000 digests holds a fraction of their JSON, and one
 * deflate serves both the record and the job. A job of an earlier release, which carried the
 * message as an object, is read as not carried: its delivery is read from the database.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DeliverQueues, deliverJobId } from '../../jobs/deliver-queue.ts';
import { deliverPayload } from '../../jobs/queues.ts';
import { type ChatTarget, freshJob } from '../../src/delivery/platform-sender.ts';
import type { OutgoingMessage } from '../../src/domain/types.ts';
import { packMessage, unpackMessage } from '../../src/store/delivery-store.ts';

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = `test-carried-${randomUUID()}`;
const queues = new DeliverQueues(redis, prefix);

afterAll(async () => {
  await queues.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const chat: ChatTarget = {
  key: 'telegram:4242',
  platform: 'telegram',
  chatId: '4242',
  type: 'private',
  parentKey: null,
  locale: 'zh-Hans',
};

/** A digest of 30 items from 3 sources, as the composer makes them. */
function digest(): OutgoingMessage {
  const sources = ['新华社', '人民日报', '香港01'];
  return {
    kind: 'digest',
    locale: 'zh-Hans',
    heading: '📰 今日新闻摘要 · 12月3日 08:00',
    threadId: null,
    timezone: 'Asia/Shanghai',
    groups: sources.map((sourceName, s) => ({
      sourceName,
      items: Array.from({ length: 10 }, (_, i) => ({
        articleId: `a-${s}-${i}`,
        title: `粤港澳大湾区第${s * 10 + i}项跨境合作措施落地，深港两地企业受惠`,
        url: `https://news.example.cn/2026/12/03/${s}-${i}.html?from=rss`,
        sourceName,
        publishedAt: new Date(Date.UTC(2026, 11, 3, 0, i)).toISOString(),
        alsoReportedBy: [],
      })),
    })),
  };
}

describe('a fresh deliver job', () => {
  it('keeps its message in Redis packed as recorded, a fraction of its JSON', async () => {
    const message = digest();
    const packed = packMessage(message);
    const ref = freshJob({ id: `${chat.key}|slot-1`, digestKey: 'slot-1', packed }, chat);
    await queues.enqueue(ref);
    const job = await queues.queue('telegram').getJob(deliverJobId(ref));
    const data = deliverPayload.parse(job!.data);
    expect(unpackMessage(Buffer.from(data.carried!.packed, 'base64'))).toEqual(message);
    const stored = (await redis.hget(`${prefix}:deliver-telegram:${job!.id}`, 'data'))!;
    expect(stored).not.toContain('跨境合作');
    expect(Buffer.byteLength(stored)).toBeLessThan(Buffer.byteLength(JSON.stringify(message)) / 3);
  });

  it('of an earlier release, carrying its message as an object, is read as not carried', () => {
    const legacy = {
      deliveryId: `${chat.key}|slot-1`,
      chatKey: chat.key,
      platform: 'telegram',
      part: 0,
      fresh: true,
      carried: { digestKey: 'slot-1', message: digest(), target: chat },
    };
    const parsed = deliverPayload.parse(legacy);
    expect(parsed.carried).toBeUndefined();
    expect(parsed).toMatchObject({ deliveryId: legacy.deliveryId, fresh: true, part: 0 });
  });

  it('carrying a packed message that is not base64 is read as not carried', () => {
    const ref = freshJob(
      { id: `${chat.key}|slot-1`, digestKey: 'slot-1', packed: packMessage(digest()) },
      chat,
    );
    const good = ref.carried!.packed;
    for (const packed of [`${good}!`, good.slice(1), ` ${good}`, `${good.slice(0, -4)}a=b=`]) {
      const parsed = deliverPayload.parse({ ...ref, carried: { ...ref.carried!, packed } });
      expect(parsed.carried).toBeUndefined();
    }
    expect(deliverPayload.parse(ref).carried?.packed).toBe(good);
  });
});
