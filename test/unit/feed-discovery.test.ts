import { describe, expect, it } from 'vitest';
import { discoverFeedLinks } from '../../src/ingest/feed-discovery.ts';

describe('discoverFeedLinks', () => {
  it('lists alternate feed links, absolute, in document order, without duplicates', () => {
    const html = `<!doctype html><html><head>
      <link rel="stylesheet" href="/main.css">
      <link rel="alternate" type="application/rss+xml" title="要闻" href="/rss/yaowen.xml">
      <LINK REL="Alternate" TYPE="application/atom+xml" HREF="atom.xml?a=1&amp;b=2">
      <link rel="alternate" type="text/html" hreflang="en" href="/en/">
      <link rel="alternate" type="application/feed+json" href="https://x.example/feed.json">
      <link rel="alternate nofollow" type="application/json; charset=utf-8" href="//api.example.cn/feed">
      <link rel="alternate" type="application/rss+xml" href="/rss/yaowen.xml">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml">
      </head><body></body></html>`;
    expect(discoverFeedLinks(html, 'https://news.example.cn/yaowen/index.htm')).toEqual([
      'https://news.example.cn/rss/yaowen.xml',
      'https://news.example.cn/yaowen/atom.xml?a=1&b=2',
      'https://x.example/feed.json',
      'https://api.example.cn/feed',
    ]);
  });

  it('resolves against <base href> and returns [] when there is none', () => {
    expect(
      discoverFeedLinks(
        '<head><base href="https://cdn.example.hk/hk/"><link rel="alternate" type="application/rss+xml" href="rss.xml"></head>',
        'https://x.example/',
      ),
    ).toEqual(['https://cdn.example.hk/hk/rss.xml']);
    expect(discoverFeedLinks('<html><body>no feeds</body></html>', 'https://x.example/')).toEqual([]);
  });

  it('finds the feed link of the seed portal page', async () => {
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(new URL('../fixtures/feeds/seed-headlines.html', import.meta.url), 'utf8');
    expect(discoverFeedLinks(html, 'https://news.example.cn/yaowen/index.htm')).toEqual([
      'https://news.example.cn/rss/yaowen.xml',
    ]);
  });
});
