import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestRuntime, startIngestRuntime } from '../../jobs/ingest-runtime.ts';
import { indexEntryOf } from '../../src/store/search-index.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { testArticle } from '../helpers/articles.ts';
import { fixture, hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
let site: NewsSite;
let runtime: IngestRuntime | undefined;

beforeAll(async () => {
  t = await createTestCore();
  site = await startNewsSite();
});

afterAll(async () => {
  await runtime?.stop();
  await site?.close();
  await t?.cleanup();
});

const feed = (name: string, n: number) =>
  rss(
    name,
    Array.from({ length: n }, (_, i) => ({
      title: `${name}快讯第${i + 1}条 队列测试`,
      link: `https://jobs.example.cn/${encodeURIComponent(name)}/${i + 1}.htm`,
      pubDate: hoursAgo(3 - i),
    })),
  );

const hits = (path: string) => site.requests.filter((r) => r.path === path).length;

describe('jobs', () => {
  it('a tick enqueues one fetch per due source, a second tick in the same slot none, and the worker stores articles', async () => {
    site.route('/a.xml', { body: feed('甲台', 1), contentType: 'application/rss+xml' });
    site.route('/b.xml', { body: feed('乙台', 1), contentType: 'application/rss+xml' });
    // <ttl>15</ttl> with a 10-minute interval: not due for another 5 minutes.
    site.route('/ttl.xml', { body: fixture('gbk-mainland.rss.xml'), contentType: 'application/rss+xml' });
    const a = await t.core.sources.add(`${site.url}/a.xml`);
    const b = await t.core.sources.add(`${site.url}/b.xml`);
    await t.core.sources.add(`${site.url}/ttl.xml`);
    const before = await t.stores.articles.count();
    site.route('/a.xml', { body: feed('甲台', 3), contentType: 'application/rss+xml' });
    site.route('/b.xml', { body: feed('乙台', 2), contentType: 'application/rss+xml' });
    const requests = { a: hits('/a.xml'), b: hits('/b.xml'), ttl: hits('/ttl.xml') };

    // The job id is per 10-minute slot: keep clear of a slot boundary so all ticks share one.
    const slotMs = a.source.intervalSec * 1000;
    const left = slotMs - (Date.now() % slotMs);
    if (left < 15_000) await new Promise((r) => setTimeout(r, left + 100));
    runtime = await startIngestRuntime(t.core, { scheduler: false, worker: true });
    const first = await runtime.tick();
    expect(first.due).toBe(2);
    expect(first.enqueued).toBe(2);
    const rt = runtime;
    await waitFor(async () => (await rt.fetchQueue.getJobCounts('completed')).completed === 2, 15_000, {
      intervalMs: 50,
      message: 'the two fetch jobs did not complete',
    });
    // Both sources are due again after their fetch (same slot): the job ids stop a second fetch.
    await runtime.tick();
    await runtime.tick();
    await new Promise((r) => setTimeout(r, 500));
    const counts = await runtime.fetchQueue.getJobCounts(
      'completed',
      'failed',
      'waiting',
      'active',
      'delayed',
    );
    expect(counts).toEqual({ completed: 2, failed: 0, waiting: 0, active: 0, delayed: 0 });
    expect(hits('/a.xml') - requests.a).toBe(1);
    expect(hits('/b.xml') - requests.b).toBe(1);
    expect(hits('/ttl.xml') - requests.ttl).toBe(0);

    expect(await t.stores.articles.count()).toBe(before + 3);
    const jobs = await runtime.fetchQueue.getJobs(['completed']);
    const results = jobs
      .map((j) => j.returnvalue as { sourceId: string; new: number })
      .sort((x, y) => y.new - x.new);
    expect(results).toEqual([
      expect.objectContaining({ sourceId: a.source.id, status: 'ok', new: 2 }),
      expect.objectContaining({ sourceId: b.source.id, status: 'ok', new: 1 }),
    ]);
    const page = await t.core.headlines.query({ query: '甲台快讯第3条' });
    expect(page.items.map((h) => h.url)).toEqual([
      `https://jobs.example.cn/${encodeURIComponent('甲台')}/3.htm`,
    ]);
  });

  it('runRetention deletes articles fetched before ARTICLE_RETENTION; every process, running or starting later, forgets them', async () => {
    // Its own core, with a retention of seconds, so that articles age past it during the test.
    const c = await createTestCore({ ARTICLE_RETENTION: '4s' });
    try {
      const at = new Date(Date.now() - 1000);
      const titles = ['快过期的旧闻：保留期测试甲', '快过期的旧闻：保留期测试乙'];
      const articles = titles.map((title, i) =>
        testArticle({ sourceId: 'old-source', url: `https://old.example.cn/${i}.htm`, title, fetchedAt: at }),
      );
      expect((await c.stores.articles.insertNew(articles)).size).toBe(2);
      await c.journal.append(articles.map(indexEntryOf));
      const other = await c.second();
      expect(await c.core.headlines.query({ query: '保留期测试' })).toMatchObject({ total: 2 });
      expect(await other.core.headlines.query({ query: '保留期测试' })).toMatchObject({ total: 2 });
      await new Promise((r) => setTimeout(r, at.getTime() + 4500 - Date.now()));

      const result = await c.core.retention.run();
      expect(result.deleted).toBe(2);
      for (const a of articles) expect(await c.stores.articles.get(a.id)).toBeNull();
      expect(await c.core.headlines.query({ query: '保留期测试' })).toMatchObject({ items: [], total: 0 });
      // A process that kept running counts none of them any more (it had counted what it could no longer read)…
      expect(await other.core.headlines.query({ query: '保留期测试' })).toMatchObject({
        items: [],
        total: 0,
      });
      // … and one that starts now does not read them back from the journal.
      const later = await c.second();
      await later.journal.refresh();
      expect(articles.some((a) => later.journal.index.has(a.id))).toBe(false);
      expect(await later.core.headlines.query({ query: '保留期测试' })).toMatchObject({
        items: [],
        total: 0,
      });
      expect((await c.core.retention.run()).deleted).toBe(0);
    } finally {
      await c.cleanup();
    }
  });

  it('runRetention keeps recent articles', async () => {
    expect((await t.core.retention.run()).deleted).toBe(0);
    expect((await t.core.headlines.query({ query: '队列测试', limit: 50 })).items.length).toBeGreaterThan(0);
  });
});
