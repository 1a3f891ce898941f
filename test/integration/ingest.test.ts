import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceWithSeen } from '../../src/store/source-store.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FeedItem, hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
let site: NewsSite;

beforeAll(async () => {
  t = await createTestCore();
  site = await startNewsSite();
});

afterAll(async () => {
  await site?.close();
  await t?.cleanup();
});

function items(prefix: string, from: number, to: number): FeedItem[] {
  const out: FeedItem[] = [];
  for (let i = from; i <= to; i++) {
    out.push({
      title: `${prefix}第${i}条：测试新闻标题${'甲乙丙丁戊己庚辛壬癸'[i % 10]}号${i * 7919}`,
      link: `https://news.example.cn/${encodeURIComponent(prefix)}/${i}.htm`,
      guid: `${prefix}-${i}`,
      pubDate: hoursAgo(20 - i),
    });
  }
  return out;
}

async function fresh(id: string): Promise<SourceWithSeen> {
  const s = await t.stores.sources.get(id);
  if (!s) throw new Error(`source ${id} vanished`);
  return s;
}

function requestsTo(path: string) {
  return site.requests.filter((r) => r.path === path);
}

describe('ingest', () => {
  it('sends If-None-Match on the next fetch, gets 304 and re-parses nothing', async () => {
    site.route('/etag.xml', {
      body: rss('有ETag的源', items('etag', 1, 3)),
      contentType: 'application/rss+xml',
      etag: '"v1"',
    });
    const { source } = await t.core.sources.add(`${site.url}/etag.xml`);
    expect(source.etag).toBe('"v1"');
    const before = await fresh(source.id);
    const articles = await t.stores.articles.count();
    const outcome = await t.core.ingest.fetchSource(before);
    expect(outcome).toMatchObject({ status: 'not_modified', fetched: 0, new: 0, duplicates: 0 });
    const last = requestsTo('/etag.xml').at(-1);
    expect(last?.headers['if-none-match']).toBe('"v1"');
    expect(await t.stores.articles.count()).toBe(articles);
    const after = await fresh(source.id);
    expect(after.seen).toEqual(before.seen);
    expect(after.health).toEqual(before.health);
  });

  it('sends If-Modified-Since when the feed gave only Last-Modified, and counts nothing on 304', async () => {
    const lastModified = new Date(Date.now() - 3_600_000).toUTCString();
    site.route('/lm.xml', {
      body: rss('有Last-Modified的源', items('lm', 1, 2)),
      contentType: 'application/rss+xml',
      lastModified,
    });
    const { source } = await t.core.sources.add(`${site.url}/lm.xml`);
    expect(source.lastModified).toBe(lastModified);
    const outcome = await t.core.ingest.fetchSource(await fresh(source.id));
    expect(outcome).toMatchObject({ status: 'not_modified', fetched: 0, new: 0 });
    const last = requestsTo('/lm.xml').at(-1);
    expect(last?.headers['if-modified-since']).toBe(lastModified);
    expect(last?.headers['if-none-match']).toBeUndefined();
  });

  it('counts new items of a later fetch as new and re-served items as duplicates, storing each once', async () => {
    site.route('/grow.xml', {
      body: rss('增长的源', items('grow', 1, 3)),
      contentType: 'application/rss+xml',
      etag: '"g1"',
    });
    const added = await t.core.sources.add(`${site.url}/grow.xml`);
    expect(added.firstIngest).toMatchObject({ status: 'ok', fetched: 3, new: 3, duplicates: 0 });
    const count = await t.stores.articles.count();

    site.route('/grow.xml', {
      body: rss('增长的源', items('grow', 1, 5)),
      contentType: 'application/rss+xml',
      etag: '"g2"',
    });
    const second = await t.core.ingest.fetchSource(await fresh(added.source.id));
    expect(second).toMatchObject({ status: 'ok', fetched: 5, new: 2, duplicates: 3 });
    expect(await t.stores.articles.count()).toBe(count + 2);

    // Same items again under a new ETag: all duplicates, nothing stored.
    site.route('/grow.xml', {
      body: rss('增长的源', items('grow', 1, 5)),
      contentType: 'application/rss+xml',
      etag: '"g3"',
    });
    const third = await t.core.ingest.fetchSource(await fresh(added.source.id));
    expect(third).toMatchObject({ status: 'ok', fetched: 5, new: 0, duplicates: 5 });
    expect(await t.stores.articles.count()).toBe(count + 2);
    const page = await t.core.headlines.query({ source: added.source.id, limit: 50 });
    expect(page.items.map((h) => h.url).sort()).toEqual(
      items('grow', 1, 5)
        .map((i) => i.link)
        .sort(),
    );
  });

  it('stores the same article URL with different utm_* parameters from two sources once', async () => {
    const story = {
      title: '国务院常务会议部署推进城市更新行动 追踪参数测试',
      pubDate: hoursAgo(2),
      description: '会议指出，要坚持人民城市人民建、人民城市为人民。',
    };
    site.route('/utm-a.xml', {
      body: rss('甲网', [
        { ...story, link: 'https://news.example.cn/policy/88.htm?id=88&utm_source=rss&utm_medium=feed' },
      ]),
      contentType: 'application/rss+xml',
    });
    site.route('/utm-b.xml', {
      body: rss('乙网', [
        { ...story, link: 'https://news.example.cn/policy/88.htm?utm_campaign=share&id=88#top' },
      ]),
      contentType: 'application/rss+xml',
    });
    const count = await t.stores.articles.count();
    const a = await t.core.sources.add(`${site.url}/utm-a.xml`);
    const b = await t.core.sources.add(`${site.url}/utm-b.xml`);
    expect(a.firstIngest).toMatchObject({ fetched: 1, new: 1 });
    expect(b.firstIngest).toMatchObject({ fetched: 1, new: 0, duplicates: 1 });
    expect(await t.stores.articles.count()).toBe(count + 1);
    const hits = await t.core.headlines.query({ query: '城市更新行动' });
    expect(hits.items).toHaveLength(1);
    expect(hits.items[0]?.url).toBe('https://news.example.cn/policy/88.htm?id=88');
  });

  it('joins the same story in Simplified and Traditional from two sources into one cluster', async () => {
    site.route('/hans.xml', {
      body: rss('内地新闻网', [
        {
          title: '特区政府宣布新一轮消费券计划 市民下月起可登记领取',
          link: 'https://news.example.cn/hk/voucher.htm',
          pubDate: hoursAgo(3),
          description: '特区政府今日宣布推出新一轮电子消费券计划，合资格市民下月起可登记。',
        },
      ]),
      contentType: 'application/rss+xml',
    });
    site.route('/hant.xml', {
      body: rss('香港新聞網', [
        {
          title: '特區政府宣佈新一輪消費券計劃 市民下月起可登記領取',
          link: 'https://news.example.hk/local/voucher.htm',
          pubDate: hoursAgo(1),
          description: '特區政府今日宣佈推出新一輪電子消費券計劃，合資格市民下月起可登記。',
        },
      ]),
      contentType: 'application/rss+xml',
    });
    const a = await t.core.sources.add(`${site.url}/hans.xml`);
    const b = await t.core.sources.add(`${site.url}/hant.xml`);
    expect(a.firstIngest?.new).toBe(1);
    expect(b.firstIngest?.new).toBe(1);
    const page = await t.core.headlines.query({ query: '消费券' });
    expect(page.items).toHaveLength(1);
    const item = page.items[0]!;
    const other = item.sourceId === a.source.id ? '香港新聞網' : '内地新闻网';
    // One cluster across scripts: the other source is listed…
    expect(item.alsoReportedBy).toHaveLength(1);
    // …by its name (both sources were added moments ago, after this core last listed names).
    expect(item.alsoReportedBy).toEqual([other]);
    expect(item.source).toBe(item.sourceId === a.source.id ? '内地新闻网' : '香港新聞網');
    // Both are stored: each source still lists its own article.
    expect((await t.core.headlines.query({ source: a.source.id, query: '消费券' })).items).toHaveLength(1);
    expect((await t.core.headlines.query({ source: b.source.id, query: '消费券' })).items).toHaveLength(1);
  });
});
