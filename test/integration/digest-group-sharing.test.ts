/**
 * A scheduled group's chats share their index look-ups (each source's articles in a window, each
 * cluster's members) for the whole run. Sharing must not change what any chat gets: chats of one
 * group with different windows (one digested before, one never), different sources, filters and
 * scripts each get exactly the digest their own selection gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryJobRef } from '../../src/delivery/platform-sender.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { unpackMessage } from '../../src/store/delivery-store.ts';
import { indexEntryOf } from '../../src/store/search-index.ts';
import { storeArticles, testArticle } from '../helpers/articles.ts';
import { createTestCore, recordingQueue, type TestCore } from '../helpers/test-core.ts';

let x: TestCore;
const queued: DeliveryJobRef[] = [];

beforeAll(async () => {
  x = await createTestCore({}, { deliveryQueue: recordingQueue(queued) });
});
afterAll(async () => {
  await x.cleanup();
});

/** A private UTC chat with a digest at `time`, subscribed to `sourceIds` in that order, then `change`d. */
async function groupChat(id: string, time: string, sourceIds: readonly string[], change?: (c: Chat) => void) {
  const key = `telegram:${id}`;
  await x.core.chats.ensure({
    platform: 'telegram',
    chatId: id,
    type: 'private',
    locale: 'zh-Hans',
    timezone: 'UTC',
  });
  for (const sourceId of sourceIds) await x.core.chats.subscribe(key, { sourceId });
  await x.core.chats.updateSettings(key, { digestTimes: [time] });
  if (change) await x.stores.chats.update(key, change);
  return key;
}

/** The message a fresh job carries. */
function carriedMessage(ref: DeliveryJobRef): OutgoingMessage {
  return unpackMessage(Buffer.from(ref.carried!.packed, 'base64'));
}

describe('a digest group sharing its look-ups', () => {
  it('gives every chat the digest its own selection gives', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((s) =>
        x.stores.sources.add({
          url: `https://${s}.example.cn/rss.xml`,
          name: `源${s}`,
          kind: 'rss',
          intervalSec: 600,
        }),
      ),
    );
    const store = async (sourceId: string, n: number, title: string) => {
      const article = testArticle({
        sourceId,
        url: `https://share.example.cn/${n}.htm`,
        title,
        fetchedAt: new Date(Date.now() - (10 - n) * 60_000),
      });
      // As ingest does: a report of a story already stored joins its cluster.
      article.clusterId = x.journal.index.findCluster(indexEntryOf(article)) ?? article.id;
      await storeArticles(x, article);
    };
    await store(a!.id, 1, '粤港澳大湾区跨境数据流动试点启动');
    await store(b!.id, 2, '深圳前海新一批港资企业落户');
    const chat = (id: string, sourceIds: string[]) => groupChat(id, '08:00', sourceIds);
    const seen = await chat('seen', [a!.id, b!.id]);
    const yesterday = Date.UTC(2026, 11, 2, 8, 0);
    // The first batch went to this chat in yesterday's digest: today it gets only what came after.
    expect(await x.core.digests.runScheduled(seen, yesterday, Date.now())).toBe('queued');
    const fresh = await chat('fresh', [a!.id]);
    const filtered = await chat('filtered', [a!.id, b!.id]);
    await x.stores.chats.update(filtered, (c) => {
      c.exclude = ['机场'];
    });
    const hant = await chat('hant', [b!.id]);
    await x.core.chats.updateSettings(hant, { script: 'hant' });

    await store(a!.id, 3, '香港国际机场第三跑道系统全面启用');
    await store(b!.id, 4, '香港国际机场第三跑道系统全面启用');
    await store(b!.id, 5, '前海深港现代服务业合作区扩区方案公布');

    const now = Date.now();
    const expected = new Map<string, OutgoingMessage['groups']>();
    for (const key of [seen, fresh, filtered, hant]) {
      const { selected } = await x.core.digests.select((await x.core.chats.get(key))!, now);
      expected.set(key, selected[0]?.groups ?? []);
    }
    queued.length = 0;
    const slot = Date.UTC(2026, 11, 3, 8, 0);
    const tally = await x.core.digests.runGroup('08:00', 'UTC', slot, now);
    expect(tally.queued).toBe(4);
    const got = new Map(queued.map((r) => [r.chatKey, carriedMessage(r).groups]));
    for (const [key, groups] of expected) expect(got.get(key), key).toEqual(groups);

    const titles = (key: string) => got.get(key)!.flatMap((g) => g.items.map((i) => i.title));
    // The airport story reported by both sources is one item; the chat digested yesterday gets
    // only the new articles, the filtered one not the airport story, the Traditional one its script.
    expect(titles(seen)).toHaveLength(2);
    expect(titles(seen)).not.toContain('粤港澳大湾区跨境数据流动试点启动');
    expect(titles(fresh)).toEqual(['香港国际机场第三跑道系统全面启用', '粤港澳大湾区跨境数据流动试点启动']);
    expect(titles(filtered)).toEqual([
      '前海深港现代服务业合作区扩区方案公布',
      '深圳前海新一批港资企业落户',
      '粤港澳大湾区跨境数据流动试点启动',
    ]);
    expect(titles(hant)[0]).toBe('前海深港現代服務業合作區擴區方案公佈');
    const airport = got
      .get(seen)!
      .flatMap((g) => g.items)
      .find((i) => i.title.includes('机场'))!;
    expect(airport.alsoReportedBy).toHaveLength(1);
  });
});

describe('chats of a group with the same inputs', () => {
  it('share one selection, and a chat differing in any one input gets its own', async () => {
    const [a, b, c] = await Promise.all(
      ['p', 'q', 'r'].map((s) =>
        x.stores.sources.add({
          url: `https://${s}.example.hk/rss.xml`,
          name: `台${s}`,
          kind: 'rss',
          intervalSec: 600,
        }),
      ),
    );
    const titles = [
      [a!.id, '港铁东涌线延线工程展开'],
      [a!.id, '启德体育园首场演唱会门票开售'],
      [b!.id, '北部都会区首批土地招标'],
      [b!.id, '港铁沙中线列车加密班次'],
      [c!.id, '中环海滨摩天轮续约'],
    ] as const;
    for (const [n, [sourceId, title]] of titles.entries()) {
      const article = testArticle({
        sourceId,
        url: `https://same.example.hk/${n}.htm`,
        title,
        fetchedAt: new Date(Date.now() - (10 - n) * 60_000),
      });
      // A summary that says more than the title, so the summary formats show it.
      article.summary = `${title}。详情见正文。`;
      await storeArticles(x, article);
    }
    const chat = (id: string, sourceIds: string[], change?: (c: Chat) => void) =>
      groupChat(id, '09:00', sourceIds, change);
    const sub = (c: Chat, sourceId: string) => c.subscriptions.find((s) => s.sourceId === sourceId)!;
    const base = await chat('base', [a!.id, b!.id]);
    const twin = await chat('twin', [b!.id, a!.id]);
    const variants = [
      await chat('chat-exclude', [a!.id, b!.id], (c) => {
        c.exclude = ['港铁'];
      }),
      await chat('sub-include', [a!.id, b!.id], (c) => {
        sub(c, b!.id).include = ['港铁'];
      }),
      await chat('script', [a!.id, b!.id], (c) => {
        c.script = 'hant';
      }),
      await chat('chat-format', [a!.id, b!.id], (c) => {
        c.itemFormat = 'summary';
      }),
      await chat('sub-format', [a!.id, b!.id], (c) => {
        sub(c, a!.id).format = 'summary';
      }),
      await chat('renamed', [a!.id, b!.id], (c) => {
        sub(c, a!.id).name = '甲台';
      }),
      await chat('thread', [a!.id, b!.id], (c) => {
        sub(c, b!.id).threadId = '7';
      }),
      await chat('muted', [a!.id, b!.id], (c) => {
        sub(c, b!.id).muted = true;
      }),
      await chat('third-source', [a!.id, b!.id, c!.id]),
      await chat('keyword', [a!.id, b!.id]),
    ];
    await x.core.chats.subscribe('telegram:keyword', { keyword: '摩天轮' });

    const now = Date.now();
    const expected = new Map<string, Array<[string | null, OutgoingMessage['groups']]>>();
    for (const key of [base, twin, ...variants]) {
      const { selected } = await x.core.digests.select((await x.core.chats.get(key))!, now);
      expected.set(
        key,
        selected.map((s) => [s.threadId, s.groups]),
      );
    }
    expect(expected.get(twin)).toEqual(expected.get(base));
    for (const key of variants) expect(expected.get(key), key).not.toEqual(expected.get(base));

    let reads = 0;
    const getMany = x.stores.articles.getMany.bind(x.stores.articles);
    x.stores.articles.getMany = (ids) => {
      reads++;
      return getMany(ids);
    };
    queued.length = 0;
    try {
      const tally = await x.core.digests.runGroup('09:00', 'UTC', Date.UTC(2026, 11, 3, 9, 0), now);
      expect(tally.queued).toBe(2 + variants.length);
    } finally {
      x.stores.articles.getMany = getMany;
    }
    // Each selection reads its candidates once; the twin, subscribed in the other order, reads none.
    expect(reads).toBe(1 + variants.length);
    const got = new Map<string, Array<[string | null, OutgoingMessage['groups']]>>();
    for (const r of queued) {
      const list = got.get(r.chatKey) ?? [];
      const message = carriedMessage(r);
      list.push([message.threadId, message.groups]);
      got.set(r.chatKey, list);
    }
    for (const [key, messages] of expected) expect(got.get(key), key).toEqual(messages);
    // Every recorded delivery reads back as the message its chat was sent.
    for (const r of queued)
      expect((await x.stores.deliveries.get(r.deliveryId))?.message).toEqual(carriedMessage(r));
  });
});
