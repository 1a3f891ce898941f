import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewsrelayError } from '../../src/errors.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { fixture, seedPageWithoutFeedLink } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
let site: NewsSite;

beforeAll(async () => {
  t = await createTestCore();
  site = await startNewsSite();
  site.route('/gbk.xml', { body: fixture('gbk-mainland.rss.xml'), contentType: 'application/rss+xml' });
  // The server lies: GBK bytes labelled UTF-8 (the XML declaration says gb2312).
  site.route('/gbk-lying.xml', {
    body: fixture('gbk-mainland.rss.xml'),
    contentType: 'text/xml; charset=utf-8',
  });
  site.route('/big5.xml', { body: fixture('big5-hk.rss.xml'), contentType: 'application/xml' });
  site.route('/utf8.xml', { body: fixture('utf8-nocharset.rss.xml'), contentType: 'text/xml' });
  site.route('/utf8-untyped.xml', { body: fixture('utf8-nocharset.rss.xml') });
  site.route('/portal.html', {
    body: fixture('seed-headlines.html'),
    contentType: 'text/html; charset=utf-8',
  });
  site.route('/rss/yaowen.xml', {
    body: fixture('gbk-mainland.rss.xml'),
    contentType: 'application/rss+xml',
  });
  site.route('/headlines.html', { body: seedPageWithoutFeedLink(), contentType: 'text/html' });
  site.route('/plain.txt', {
    body: '这不是一个订阅源。just some text\n',
    contentType: 'text/plain; charset=utf-8',
  });
  site.route('/empty.html', {
    body: '<!DOCTYPE html><html><head><meta charset="utf-8"><title>空页面</title></head><body><p>暂无内容</p></body></html>',
    contentType: 'text/html; charset=utf-8',
  });
});

afterAll(async () => {
  await site?.close();
  await t?.cleanup();
});

async function titlesOf(sourceId: string): Promise<string[]> {
  const page = await t.core.headlines.query({ source: sourceId, limit: 100 });
  return page.items.map((h) => h.title);
}

/** U+FFFD or typical GBK-as-Latin1 / UTF-8-as-GBK mojibake. */
function looksMojibake(s: string): boolean {
  return /\uFFFD|[\u00C0-\u00FF]{2}|锟斤拷|鍗|涓/.test(s);
}

async function expectRefused(url: string, code: string): Promise<void> {
  const before = { sources: (await t.core.sources.list()).length, articles: await t.stores.articles.count() };
  const err = await t.core.sources.add(url).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NewsrelayError);
  expect((err as NewsrelayError).code).toBe(code);
  expect((await t.core.sources.list()).length).toBe(before.sources);
  expect(await t.stores.articles.count()).toBe(before.articles);
}

describe('sources add', () => {
  it('stores a GBK (gb2312-declared) RSS without mojibake, including GBK-only characters', async () => {
    const added = await t.core.sources.add(`${site.url}/gbk.xml`);
    expect(added.existed).toBe(false);
    expect(added.source.kind).toBe('rss');
    expect(added.source.name).toBe('华夏新闻网 要闻');
    expect(added.firstIngest).toMatchObject({ status: 'ok', fetched: 5, new: 5 });
    const titles = await titlesOf(added.source.id);
    expect(titles).toContain('安徽宿州:我国最大“火电熔盐储热”项目投运 朱镕基、陶喆(测试字)');
    expect(titles).toContain('各地各部门积极应对台风“蓝湖”影响 全力做好防洪减灾工作');
    for (const title of titles) expect(looksMojibake(title), title).toBe(false);
  });

  it('stores GBK correctly when the server claims charset=utf-8', async () => {
    const added = await t.core.sources.add(`${site.url}/gbk-lying.xml`);
    expect(added.existed).toBe(false);
    expect(added.source.name).toBe('华夏新闻网 要闻');
    // Same article URLs as /gbk.xml: nothing new, all counted as duplicates.
    expect(added.firstIngest).toMatchObject({ status: 'ok', fetched: 5, new: 0, duplicates: 5 });
  });

  it('stores a Big5(-HKSCS) RSS without mojibake', async () => {
    const added = await t.core.sources.add(`${site.url}/big5.xml`);
    expect(added.source.name).toBe('華夏新聞網 港澳');
    expect(added.firstIngest).toMatchObject({ status: 'ok', fetched: 4, new: 4 });
    const titles = await titlesOf(added.source.id);
    expect(titles).toContain('李家超參觀香港抗戰及海防博物館');
    expect(titles).toContain('深水灣泳灘8歲男童遇溺 街坊:冇嘢好講，真係唔啱㗎');
    for (const title of titles) expect(looksMojibake(title), title).toBe(false);
  });

  it('stores a UTF-8 RSS that declares no charset anywhere', async () => {
    for (const path of ['/utf8.xml', '/utf8-untyped.xml']) {
      const added = await t.core.sources.add(`${site.url}${path}`);
      expect(added.source.name).toBe('华夏新闻网 国际');
      expect(added.firstIngest?.status).toBe('ok');
      expect(added.firstIngest?.fetched).toBe(3);
    }
    const src = await t.stores.sources.getByUrl(`${site.url}/utf8.xml`);
    expect(await titlesOf(src!.id)).toEqual(
      expect.arrayContaining([
        '南非成功实施首例机器人辅助供体肾脏切除手术',
        '美官员:巴勒斯坦总统和80名巴方官员美国签证被吊销',
      ]),
    );
  });

  it('follows an HTML page’s <link rel="alternate"> to its feed', async () => {
    const added = await t.core.sources.add(`${site.url}/portal.html`);
    expect(added.source.url).toBe(`${site.url}/rss/yaowen.xml`);
    expect(added.source.kind).toBe('rss');
    expect(await t.stores.sources.getByUrl(`${site.url}/portal.html`)).toBeNull();
  });

  it('accepts the seed headline page (no feed link) as kind html with its headlines and dates', async () => {
    const added = await t.core.sources.add(`${site.url}/headlines.html`);
    expect(added.source.kind).toBe('html');
    expect(added.source.url).toBe(`${site.url}/headlines.html`);
    expect(added.source.name).toBe('华夏新闻网 - 要闻 | 華夏新聞網');
    expect(added.firstIngest?.status).toBe('ok');
    expect(added.firstIngest?.fetched).toBe(36);
    const page = await t.core.headlines.query({ source: added.source.id, limit: 100 });
    // Some seed headlines repeat stories of the GBK feed stored above (same cluster): the page
    // shows one per cluster, so look the seed's own articles up directly.
    const lead = page.items.find((h) => h.title.startsWith('“上合”人文交流'));
    expect(lead?.url).toBe(`${site.url}/2025/08/30/c_1131560001.htm`);
    const hk = await t.core.headlines.query({
      query: '李家超參觀香港抗戰及海防博物館',
      source: added.source.id,
    });
    expect(hk.items[0]?.url).toBe(`${site.url}/gangao/20250830/5009.htm`);
    const uk = await t.core.headlines.query({ query: '英国:不邀以色列政府代表团', source: added.source.id });
    // "08-30 09:07" has no year: the most recent 30 August that is not in the future, 09:07 Beijing time.
    const ukAt = uk.items[0]?.publishedAt;
    expect(ukAt?.toISOString().slice(4)).toBe('-08-30T01:07:00.000Z');
    expect(ukAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - ukAt!.getTime()).toBeLessThan(366 * 86_400_000);
    const dated = page.items.filter((h) => /^2025-/.test(h.publishedAt.toISOString()));
    expect(dated.length).toBeGreaterThan(10);
    for (const h of page.items) {
      const beijingDay = new Date(h.publishedAt.getTime() + 8 * 3_600_000).toISOString().slice(5, 10);
      expect(beijingDay, h.title).toBe('08-30');
    }
  });

  it('refuses a 404 with http_status and stores nothing', async () => {
    await expectRefused(`${site.url}/missing.xml`, 'http_status');
  });

  it('refuses a plain-text document with not_a_feed and stores nothing', async () => {
    await expectRefused(`${site.url}/plain.txt`, 'not_a_feed');
  });

  it('refuses an HTML page with no headlines with not_a_feed and stores nothing', async () => {
    await expectRefused(`${site.url}/empty.html`, 'not_a_feed');
  });

  it('returns existed for the same URL added twice, without fetching or storing again', async () => {
    const url = `${site.url}/big5.xml`;
    const sources = (await t.core.sources.list()).length;
    const articles = await t.stores.articles.count();
    const requests = site.requests.length;
    const again = await t.core.sources.add(url);
    expect(again.existed).toBe(true);
    expect(again.firstIngest).toBeNull();
    expect(again.source.url).toBe(url);
    expect((await t.core.sources.list()).length).toBe(sources);
    expect(await t.stores.articles.count()).toBe(articles);
    expect(site.requests.length).toBe(requests);
    // The page URL that led to a feed is also recognised once the feed is known.
    const viaPage = await t.core.sources.add(`${site.url}/portal.html`);
    expect(viaPage.existed).toBe(true);
  });
});
