/**
 * A digest's window is a journal cursor, not a fetch time: an article whose fetch started before a
 * digest but whose journal batch landed after it (a slow fetch, a second worker) is in the next
 * digest. Before, digests selected `fetchedAt > lastDigestAt` and such an article was in none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryPorts } from '../../jobs/delivery-runtime.ts';
import { createRedis } from '../../jobs/queues.ts';
import { type CoreInternals, createCoreInternals } from '../../src/core.ts';
import type { Article } from '../../src/domain/types.ts';
import { createLogger } from '../../src/log.ts';
import { storeArticles, testArticle } from '../helpers/articles.ts';
import { type TestEnv, testEnv } from '../helpers/test-env.ts';

let env: TestEnv;
let x: CoreInternals;
let ports: ReturnType<typeof createDeliveryPorts>;

function article(n: number, sourceId: string, fetchedAt: Date): Article {
  const title = `迟到的新闻第${n}条：港珠澳大桥客流创新高`;
  return testArticle({
    sourceId,
    url: `https://late.example.cn/${n}.htm`,
    title,
    fetchedAt,
    fingerprintOf: `${title}${n}`,
  });
}

beforeAll(async () => {
  env = testEnv();
  ports = createDeliveryPorts(createRedis(env.config.REDIS_URL), env.config.QUEUE_PREFIX);
  x = await createCoreInternals(env.config, createLogger('silent'), {
    schedules: ports.schedules,
    deliveryQueue: ports.deliveries,
  });
});
afterAll(async () => {
  await ports.close();
  await ports.connection.quit();
  await x.core.close();
  await env.drop();
});

describe('digest window', () => {
  it('an article fetched before a digest but journalled after it is in the next digest, once', async () => {
    const source = await x.stores.sources.add({
      url: 'https://late.example.cn/rss.xml',
      name: '迟到日报',
      kind: 'rss',
      intervalSec: 600,
    });
    const key = 'telegram:9001';
    await x.core.chats.ensure({
      platform: 'telegram',
      chatId: '9001',
      type: 'private',
      locale: 'zh-Hans',
      timezone: 'UTC',
    });
    await x.core.chats.subscribe(key, { sourceId: source.id });
    const store = (a: Article) => storeArticles(x, a);
    await store(article(1, source.id, new Date(Date.now() - 60_000)));
    expect(await x.core.digests.runNow(key)).toBe('queued');

    // The fetch of article 2 started before the digest; its batch is journalled after it.
    const fetchStarted = new Date(Date.now() - 5_000);
    expect(await x.core.digests.runNow(key)).toBe('empty');
    await store(article(2, source.id, fetchStarted));
    expect((await x.core.chats.get(key))!.lastDigestAt!.getTime()).toBeGreaterThan(fetchStarted.getTime());

    const { selected } = await x.core.digests.select((await x.core.chats.get(key))!);
    expect(selected.flatMap((d) => d.groups.flatMap((g) => g.items.map((i) => i.articleId)))).toEqual([
      article(2, source.id, fetchStarted).id,
    ]);
    expect(await x.core.digests.runNow(key)).toBe('queued');
    expect(await x.core.digests.runNow(key)).toBe('empty');
  });
});
