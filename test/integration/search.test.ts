import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.ts';
import { NewsrelayError } from '../../src/errors.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { fixture, hoursAgo, rss, seedPageWithoutFeedLink } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
let site: NewsSite;
let other: Core;

beforeAll(async () => {
  t = await createTestCore();
  site = await startNewsSite();
  site.route('/big5.xml', { body: fixture('big5-hk.rss.xml'), contentType: 'application/rss+xml' });
  site.route('/seed.html', { body: seedPageWithoutFeedLink(), contentType: 'text/html; charset=utf-8' });
  site.route('/typhoon.xml', {
    body: rss('气象新闻', [
      {
        title: '台风“剑鱼”今晨登陆 多地启动应急响应',
        link: 'https://wx.example.cn/1.htm',
        pubDate: hoursAgo(5),
      },
      {
        title: '台风“剑鱼”减弱为热带风暴 交通逐步恢复',
        link: 'https://wx.example.cn/3.htm',
        pubDate: hoursAgo(1),
      },
      {
        title: '台风“剑鱼”逼近 气象台发布橙色预警',
        link: 'https://wx.example.cn/2.htm',
        pubDate: hoursAgo(9),
      },
    ]),
    contentType: 'application/rss+xml',
  });
  for (const path of ['/big5.xml', '/seed.html', '/typhoon.xml']) {
    const added = await t.core.sources.add(`${site.url}${path}`);
    if (added.firstIngest?.status !== 'ok')
      throw new Error(`setup: ${path} did not ingest: ${added.firstIngest?.error}`);
  }
  other = (await t.second()).core;
});

afterAll(async () => {
  await site?.close();
  await t?.cleanup();
});

describe('search', () => {
  it('finds the Traditional headline with a Simplified query (李家超参观)', async () => {
    const page = await t.core.headlines.query({ query: '李家超参观' });
    expect(page.items.map((h) => h.title)).toContain('李家超參觀香港抗戰及海防博物館');
    for (const h of page.items) expect(h.title).toMatch(/李家超參觀|李家超参观/);
  });

  it('finds “上合”… with the two-character query 上合, and only headlines containing it', async () => {
    const page = await t.core.headlines.query({ query: '上合', limit: 50 });
    const titles = page.items.map((h) => h.title);
    expect(titles).toContain('“上合”人文交流和民间外交情况有哪些亮点?这场吹风会告诉你↓');
    for (const title of titles) expect(title).toContain('上合');
    expect(page.total).toBe(titles.length);
  });

  it('returns results newest first', async () => {
    const page = await t.core.headlines.query({ query: '台风', limit: 50 });
    expect(page.items.length).toBeGreaterThanOrEqual(3);
    expect(page.items.slice(0, 3).map((h) => h.url)).toEqual([
      'https://wx.example.cn/3.htm',
      'https://wx.example.cn/1.htm',
      'https://wx.example.cn/2.htm',
    ]);
    const times = page.items.map((h) => h.publishedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("converts titles to the reader's script", async () => {
    const hans = await t.core.headlines.query({ query: '李家超參觀', script: 'hans' });
    const hk = hans.items.find((h) => h.originalTitle === '李家超參觀香港抗戰及海防博物館');
    expect(hk?.title).toBe('李家超参观香港抗战及海防博物馆');
    const hant = await t.core.headlines.query({ query: '上合', script: 'hant', limit: 50 });
    const lead = hant.items.find((h) => h.originalTitle.startsWith('“上合”人文交流'));
    expect(lead?.title).toContain('民間外交');
    expect(lead?.title).not.toBe(lead?.originalTitle);
  });

  it('lets a second core on the same database find what the first one stored (journal refresh)', async () => {
    expect((await other.headlines.query({ query: '剑鱼' })).items).toHaveLength(3);
    expect((await other.headlines.query({ query: '嫦娥' })).items).toHaveLength(0);
    site.route('/space.xml', {
      body: rss('航天新闻', [
        {
          title: '嫦娥七号探测器完成月面软着陆',
          link: 'https://space.example.cn/ce7.htm',
          pubDate: hoursAgo(0.5),
        },
      ]),
      contentType: 'application/rss+xml',
    });
    const added = await t.core.sources.add(`${site.url}/space.xml`);
    expect(added.firstIngest?.new).toBe(1);
    const seen = await waitFor(
      async () => {
        const p = await other.headlines.query({ query: '嫦娥' });
        return p.items.length > 0 ? p.items : null;
      },
      5_000,
      { intervalMs: 200, message: 'the second core never saw the article the first stored' },
    );
    expect(seen.map((h) => h.title)).toEqual(['嫦娥七号探测器完成月面软着陆']);
    expect(seen[0]?.source).toBe('航天新闻');
  });

  it('refuses an absurd query with bad_input', async () => {
    for (const query of ['李'.repeat(5000), `李家超\u0001参观`, `上合\u0000`, 'a'.repeat(201)]) {
      const err = await t.core.headlines.query({ query }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(query.slice(0, 20))).toBeInstanceOf(NewsrelayError);
      expect((err as NewsrelayError).code).toBe('bad_input');
    }
  });
});
