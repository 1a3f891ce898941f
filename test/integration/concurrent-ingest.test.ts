import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestRuntime } from '../../jobs/ingest-runtime.ts';
import { ingestSources } from '../../src/sources/ingest-all.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

const SOURCES = 12;
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

const feed = (k: number, n: number) =>
  rss(
    `并发源${k}`,
    Array.from({ length: n }, (_, i) => ({
      title: `并发源${k}独家报道第${i + 1}篇 编号${k * 100 + i}`,
      link: `https://conc.example.cn/${k}/${i + 1}.htm`,
      pubDate: hoursAgo(2 - i * 0.1),
    })),
  );

describe('concurrent ingest in one process', () => {
  it('every fetch of many sources fetched at once succeeds and lands in search', async () => {
    for (let k = 1; k <= SOURCES; k++) {
      site.route(`/c${k}.xml`, { body: feed(k, 1), contentType: 'application/rss+xml' });
      await t.core.sources.add(`${site.url}/c${k}.xml`);
    }
    for (let k = 1; k <= SOURCES; k++)
      site.route(`/c${k}.xml`, { body: feed(k, 3), contentType: 'application/rss+xml' });
    const summary = await ingestSources(t.core, await t.core.sources.list(), { concurrency: SOURCES });
    expect(summary.outcomes.filter((o) => o.status !== 'ok').map((o) => o.error)).toEqual([]);
    expect(summary.new).toBe(SOURCES * 2);
    const page = await t.core.headlines.query({ query: '独家报道', limit: 100 });
    expect(page.items).toHaveLength(SOURCES * 3);
  });

  it('the fetch worker (FETCH_CONCURRENCY jobs at once) stores every source’s new items', async () => {
    for (let k = 1; k <= SOURCES; k++)
      site.route(`/c${k}.xml`, { body: feed(k, 5), contentType: 'application/rss+xml' });
    // Independent of the previous test: every source healthy and due.
    for (const s of await t.core.sources.list()) await t.stores.sources.enable(s.id);
    const runtime = await startIngestRuntime(t.core, { scheduler: false, worker: true });
    try {
      const { enqueued } = await runtime.tick();
      expect(enqueued).toBe(SOURCES);
      await waitFor(
        async () => {
          const c = await runtime.fetchQueue.getJobCounts('completed', 'failed');
          return (c.completed ?? 0) + (c.failed ?? 0) >= SOURCES;
        },
        20_000,
        { intervalMs: 50 },
      );
      const jobs = await runtime.fetchQueue.getJobs(['completed', 'failed']);
      const outcomes = jobs.map((j) => j.returnvalue as { status: string; new: number; error?: string });
      expect(outcomes.filter((o) => o.status !== 'ok').map((o) => o.error)).toEqual([]);
      expect(outcomes.reduce((n, o) => n + o.new, 0)).toBe(SOURCES * 2);
      const other = await t.second();
      expect((await other.core.headlines.query({ query: '独家报道', limit: 100 })).items).toHaveLength(
        SOURCES * 5,
      );
    } finally {
      await runtime.stop();
    }
  });

  it('concurrent journal appends all get their own journal number', async () => {
    // Stored now: an index keeps nothing past ARTICLE_RETENTION.
    const now = Date.now();
    const appends = Array.from({ length: 20 }, (_, k) =>
      t.journal.append([
        {
          i: `direct-${k}`,
          s: 'direct',
          p: now + k,
          f: now + k,
          fp: '0000000000000000',
          c: `direct-${k}`,
          t: [`direct${k}`],
        },
      ]),
    );
    const results = await Promise.allSettled(appends);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    const other = await t.second();
    await other.journal.refresh();
    for (let k = 0; k < 20; k++) expect(other.journal.index.has(`direct-${k}`), `direct-${k}`).toBe(true);
  });
});
