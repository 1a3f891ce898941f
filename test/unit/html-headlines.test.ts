import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractHeadlines } from '../../src/ingest/html-headlines.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/feeds');
const page = readFileSync(path.join(fixtures, 'seed-headlines.html'), 'utf8');
const pageUrl = 'https://news.example.cn/yaowen/index.htm';
const now = new Date('2025-08-31T04:00:00Z');

/** YYYY-MM-DD of an instant in UTC+8 (the page's zone). */
function beijingDay(d: Date | null | undefined): string | null {
  return d ? new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10) : null;
}

describe('extractHeadlines on the seed portal page', () => {
  const feed = extractHeadlines(page, pageUrl, { now });

  it('returns the headline list as an html feed', () => {
    expect(feed).not.toBeNull();
    expect(feed?.format).toBe('html');
    expect(feed?.title).toBe('华夏新闻网 - 要闻 | 華夏新聞網');
    expect(feed?.link).toBe(pageUrl);
    expect(feed?.entries).toHaveLength(36);
  });

  it('finds Simplified and Traditional headlines with absolute links and dates', () => {
    const byTitle = new Map(feed?.entries.map((e) => [e.title, e]));
    const hk = byTitle.get('李家超參觀香港抗戰及海防博物館');
    expect(hk?.link).toBe('https://news.example.cn/yaowen/gangao/20250830/5009.htm');
    expect(beijingDay(hk?.published)).toBe('2025-08-30');
    const lead = byTitle.get('“上合”人文交流和民间外交情况有哪些亮点?这场吹风会告诉你↓');
    expect(lead?.link).toBe('https://news.example.cn/2025/08/30/c_1131560001.htm');
    expect(byTitle.get('墨西哥总统将会见美国国务卿 寻求就安全事务等议题达成合作')?.link).toBe(
      'https://news.example.cn/world/2025-08/30/content_700000.htm',
    );
    // "08-30 12:00" style: no year, time of day in Beijing time.
    expect(byTitle.get('英国:不邀以色列政府代表团出席伦敦武器装备展')?.published?.toISOString()).toBe(
      '2025-08-30T01:07:00.000Z',
    );
    for (const e of feed?.entries ?? []) expect(beijingDay(e.published)).toBe('2025-08-30');
  });

  it('leaves out navigation, sidebar, "more" and footer links', () => {
    const titles = feed?.entries.map((e) => e.title) ?? [];
    for (const chrome of [
      '首页',
      '国际',
      '华夏新闻网首页',
      '上合组织天津峰会专题报道',
      '抗战胜利80周年',
      '更多港澳新闻 >>',
      '关于我们',
      '京ICP备12345678号-1',
      '京公网安备11010502030000号',
      '网上有害信息举报专区入口',
    ]) {
      expect(titles).not.toContain(chrome);
    }
    expect(feed?.entries.every((e) => e.link?.startsWith('https://news.example.cn/'))).toBe(true);
  });
});

describe('extractHeadlines on other pages', () => {
  it('returns null for a page without a headline list', () => {
    const html = `<html><body><div class="nav"><a href="/">首页</a><a href="/a">国际</a></div>
      <article><h1>李家超參觀香港抗戰及海防博物館</h1><p>正文……</p></article>
      <ul><li><a href="/x">联系我们</a></li><li><a href="/y">关于我们</a></li></ul></body></html>`;
    expect(extractHeadlines(html, 'https://x.example/')).toBeNull();
  });

  it('reads <time datetime> and 年月日 dates and honours <base href>', () => {
    const html = `<html><head><base href="https://cdn.example.hk/news/"></head><body><div class="list">
      <div class="item"><a href="1.html">丘應樺明訪新加坡 促進兩地更緊密聯繫</a><time datetime="2025-08-30T09:00:00+08:00">今日</time></div>
      <div class="item"><a href="2.html">香港人才博覽會釋放數千職位 有高才通人士為子女教育來港</a><em>2025年8月29日</em></div>
      <div class="item"><a href="3.html">深水灣泳灘8歲男童遇溺 救護員到場</a></div>
      </div></body></html>`;
    const feed = extractHeadlines(html, 'https://x.example/page');
    expect(feed?.entries.map((e) => e.link)).toEqual([
      'https://cdn.example.hk/news/1.html',
      'https://cdn.example.hk/news/2.html',
      'https://cdn.example.hk/news/3.html',
    ]);
    expect(feed?.entries[0]?.published?.toISOString()).toBe('2025-08-30T01:00:00.000Z');
    expect(feed?.entries[1]?.published?.toISOString()).toBe('2025-08-28T16:00:00.000Z');
    expect(feed?.entries[2]?.published).toBeNull();
  });
});

describe('extractHeadlines on hostile pages', () => {
  it('reads 20,000 links under 3,000 nested <div>s in one pass (it walked every ancestor per link)', () => {
    const items = Array.from(
      { length: 20_000 },
      (_, i) =>
        `<li><a href="/n/${i}">第${i}条新闻标题：某地召开重要会议部署工作</a> <span>2025-08-30</span></li>`,
    ).join('');
    const html = `<html><head><title>页</title></head><body>${'<div class="w">'.repeat(3000)}<ul class="list">${items}</ul>${'</div>'.repeat(3000)}</body></html>`;
    const feed = extractHeadlines(html, 'https://x.example/', { now });
    expect(feed?.entries).toHaveLength(20_000);
    expect(feed?.entries[19_999]?.link).toBe('https://x.example/n/19999');
  }, 20_000);

  it('finds dates only near the headline inside a huge item', () => {
    const filler = '<span>无关文字</span>'.repeat(5000);
    const html = `<html><body><div class="list">${Array.from(
      { length: 3 },
      (_, i) =>
        `<div class="item"><a href="/${i}">第${i}条：某地召开重要会议部署秋季工作</a>${filler}<em>2025年8月29日</em></div>`,
    ).join('')}</div></body></html>`;
    const feed = extractHeadlines(html, 'https://x.example/', { now });
    expect(feed?.entries).toHaveLength(3);
    // The date sits after 5,000 other nodes: beyond the bounded look, so not found.
    expect(feed?.entries.every((e) => e.published === null)).toBe(true);
  });
});
