import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NewsrelayError } from '../../src/errors.ts';
import { decodeDocument } from '../../src/ingest/decode.ts';
import { parseFeedDate } from '../../src/ingest/feed-dates.ts';
import { parseFeed } from '../../src/ingest/feed-parser.ts';
import { sniffDocument } from '../../src/ingest/sniff.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/feeds');
const load = (name: string) => decodeDocument(readFileSync(path.join(fixtures, name)), {}).text;

function notAFeed(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NewsrelayError);
    expect((err as NewsrelayError).code).toBe('not_a_feed');
    return;
  }
  throw new Error('expected not_a_feed');
}

describe('parseFeed: RSS', () => {
  it('reads a GBK RSS 2.0 feed of mainland headlines', () => {
    const feed = parseFeed(load('gbk-mainland.rss.xml'), { baseUrl: 'https://news.example.cn/rss.xml' });
    expect(feed.format).toBe('rss');
    expect(feed.bozo).toBe(false);
    expect(feed.title).toBe('华夏新闻网 要闻');
    expect(feed.link).toBe('https://news.example.cn/yaowen/');
    expect(feed.ttlMinutes).toBe(15);
    expect(feed.entries).toHaveLength(5);
    const [first] = feed.entries;
    expect(first).toMatchObject({
      title: '美官员:巴勒斯坦总统和80名巴方官员美国签证被吊销',
      link: 'https://news.example.cn/yaowen/1.htm',
      id: 'https://news.example.cn/yaowen/1',
      summary: '<p>美官员:巴勒斯坦总统和80名巴方官员美国签证被吊销</p>',
    });
    expect(first?.published?.toISOString()).toBe('2025-08-30T00:30:00.000Z');
    expect(feed.entries[4]?.title).toContain('朱镕基、陶喆');
  });

  it('reads a Big5-HKSCS RSS feed of Hong Kong headlines', () => {
    const feed = parseFeed(load('big5-hk.rss.xml'), {});
    expect(feed.title).toBe('華夏新聞網 港澳');
    expect(feed.entries.map((e) => e.title)).toContain('李家超參觀香港抗戰及海防博物館');
    expect(feed.entries[3]?.title).toContain('冇嘢好講');
  });

  it('reads a UTF-8 feed that declares no charset', () => {
    const feed = parseFeed(load('utf8-nocharset.rss.xml'), {});
    expect(feed.entries.map((e) => e.title)).toEqual([
      '美官员:巴勒斯坦总统和80名巴方官员美国签证被吊销',
      '墨西哥总统将会见美国国务卿 寻求就安全事务等议题达成合作',
      '南非成功实施首例机器人辅助供体肾脏切除手术',
    ]);
  });

  it('recovers broken XML leniently and flags it as bozo', () => {
    const feed = parseFeed(load('broken.rss.xml'), {});
    expect(feed.bozo).toBe(true);
    expect(feed.title).toBe('港澳新聞 — 華夏新聞網');
    expect(feed.link).toBe('https://news.example.hk/?a=1&b=2');
    expect(feed.entries).toHaveLength(2);
    expect(feed.entries[0]).toMatchObject({
      title: '李家超參觀香港抗戰及海防博物館',
      summary: '參觀…博物館',
    });
    expect(feed.entries[1]).toMatchObject({
      title: '丘應樺明訪新加坡 促進兩地更緊密聯繫',
      link: 'https://news.example.hk/gangao/4.htm',
    });
  });

  it('maps guid, content:encoded, dc:, enclosures, media thumbnails and relative links', () => {
    const xml = `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
      xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
      xmlns:atom="http://www.w3.org/2005/Atom">
      <channel><title>新闻</title><link>/</link><atom:link rel="self" href="https://x.example/feed"/>
      <item><title><![CDATA[香港<b>天文台</b>]]></title><guid>https://x.example/a/1</guid>
        <dc:creator>记者 王小明</dc:creator><dc:date>2025-08-30T12:00:00+08:00</dc:date>
        <description>摘要</description><content:encoded><![CDATA[<p><img src="/i/1.jpg">正文</p>]]></content:encoded>
        <enclosure url="/v/1.mp4" type="video/mp4" length="1234"/>
        <media:thumbnail url="https://x.example/t/1.jpg"/></item>
      <item><title>第二条</title><guid isPermaLink="false">abc-2</guid></item>
      </channel></rss>`;
    const feed = parseFeed(xml, { baseUrl: 'https://x.example/news/feed.xml' });
    expect(feed.link).toBe('https://x.example/');
    const [a, b] = feed.entries;
    expect(a).toMatchObject({
      title: '香港天文台',
      link: 'https://x.example/a/1',
      id: 'https://x.example/a/1',
      author: '记者 王小明',
      summary: '摘要',
      content: '<p><img src="https://x.example/i/1.jpg">正文</p>',
      enclosures: [{ url: 'https://x.example/v/1.mp4', type: 'video/mp4', length: '1234' }],
      thumbnails: ['https://x.example/t/1.jpg'],
    });
    expect(a?.updated?.toISOString()).toBe('2025-08-30T04:00:00.000Z');
    expect(b).toMatchObject({ title: '第二条', id: 'abc-2', link: null });
  });

  it('reads RSS 1.0 (RDF) with rdf:about ids', () => {
    const xml = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://x.example/"><title>RDF 新闻</title><link>https://x.example/</link></channel>
      <item rdf:about="https://x.example/1"><title>第一条</title><link>https://x.example/1</link>
      <dc:date>2025-08-30</dc:date></item></rdf:RDF>`;
    const feed = parseFeed(xml, {});
    expect(feed.format).toBe('rdf');
    expect(feed.title).toBe('RDF 新闻');
    expect(feed.entries[0]).toMatchObject({
      title: '第一条',
      id: 'https://x.example/1',
      link: 'https://x.example/1',
    });
  });
});

describe('parseFeed: Atom', () => {
  it('reads Atom 1.0 with xml:base, xhtml content and authors', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://x.example/blog/">
      <title type="html">港聞 &amp;lt;速報&amp;gt;</title><link href="./"/><link rel="self" href="feed.atom"/>
      <entry><title>陳國基出席活動</title><id>entries/1</id><link rel="alternate" href="2025/08/30/1"/>
        <updated>2025-08-30T10:00:00Z</updated><published>2025-08-30T09:00:00+08:00</published>
        <author><name>編輯部</name><email>desk@x.example</email></author>
        <summary type="text">摘要 &lt;b&gt;</summary>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>正文 <a href="/x">連結</a></p></div></content>
      </entry></feed>`;
    const feed = parseFeed(xml, { baseUrl: 'https://x.example/feed' });
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('港聞 <速報>');
    expect(feed.link).toBe('https://x.example/blog/');
    expect(feed.entries[0]).toMatchObject({
      title: '陳國基出席活動',
      id: 'https://x.example/blog/entries/1',
      link: 'https://x.example/blog/2025/08/30/1',
      author: '編輯部 (desk@x.example)',
      summary: '摘要 <b>',
      content: '<p>正文 <a href="https://x.example/x">連結</a></p>',
    });
    expect(feed.entries[0]?.published?.toISOString()).toBe('2025-08-30T01:00:00.000Z');
    expect(feed.entries[0]?.updated?.toISOString()).toBe('2025-08-30T10:00:00.000Z');
  });

  it('reads an Atom feed without entries and a base64 Atom 0.3 title', () => {
    expect(
      parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><title>空</title></feed>', {}).entries,
    ).toEqual([]);
    const b64 = Buffer.from('上合峰会').toString('base64');
    const feed = parseFeed(
      `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title mode="base64">${b64}</title></entry></feed>`,
      {},
    );
    expect(feed.entries[0]?.title).toBe('上合峰会');
  });
});

describe('parseFeed: JSON Feed', () => {
  it('reads JSON Feed 1.1', () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: '华夏新闻',
      home_page_url: 'https://x.example/',
      authors: [{ name: '编辑部' }],
      items: [
        {
          id: '1',
          url: '/a/1',
          title: '时政快讯丨习近平会见联合国秘书长古特雷斯',
          content_html: '<p>正文</p>',
          summary: '摘要',
          date_published: '2025-08-30T10:00:00+08:00',
          attachments: [{ url: 'https://x.example/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: 42 }],
          image: 'https://x.example/i.jpg',
        },
      ],
    });
    const feed = parseFeed(json, {});
    expect(feed).toMatchObject({ format: 'json', title: '华夏新闻', link: 'https://x.example/' });
    expect(feed.entries[0]).toMatchObject({
      id: '1',
      link: 'https://x.example/a/1',
      title: '时政快讯丨习近平会见联合国秘书长古特雷斯',
      content: '<p>正文</p>',
      summary: '摘要',
      author: '编辑部',
      enclosures: [{ url: 'https://x.example/a.mp3', type: 'audio/mpeg', length: '42' }],
      thumbnails: ['https://x.example/i.jpg'],
    });
    expect(feed.entries[0]?.published?.toISOString()).toBe('2025-08-30T02:00:00.000Z');
  });
});

describe('parseFeed: not a feed', () => {
  it('throws not_a_feed for HTML, other XML, other JSON and junk', () => {
    notAFeed(() => parseFeed('<!DOCTYPE html><html><body><p>新闻</p></body></html>', {}));
    notAFeed(() => parseFeed('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', {}));
    notAFeed(() => parseFeed('{"hello": "world"}', {}));
    notAFeed(() => parseFeed('', {}));
    notAFeed(() => parseFeed('just text', {}));
  });
});

describe('parseFeed: hostile documents', () => {
  function code(fn: () => unknown): string | null {
    try {
      fn();
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(NewsrelayError);
      return (err as NewsrelayError).code;
    }
  }

  it('refuses a flat repetition of a large entity before building it (it made a 200 M-character title)', () => {
    const value = '中'.repeat(1000);
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${value}">]><rss><channel><item><title>${'&a;'.repeat(200_000)}</title><link>https://x.cn/1</link></item></channel></rss>`;
    expect(code(() => parseFeed(xml, {}))).toBe('entity_expansion');
  });

  it('still expands a moderate use of internal entities, and leaves nested ones inert', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY site "新华网"><!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><title>&site;</title><item><title>&site; ${'&site;'.repeat(100)} &lol2;</title><link>https://x.cn/1</link></item></channel></rss>`;
    const feed = parseFeed(xml, {});
    expect(feed.title).toBe('新华网');
    expect(feed.entries[0]?.title?.startsWith('新华网 新华网新华网')).toBe(true);
    expect(feed.entries[0]?.title?.endsWith('&lol;&lol;')).toBe(true);
  });

  it('never reads external entities', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]><rss><channel><item><title>a&xxe;b</title><link>https://x.cn/1</link></item></channel></rss>`;
    const feed = parseFeed(xml, {});
    expect(feed.entries[0]?.title).toBe('a&xxe;b');
  });

  it('refuses nesting that would make the XML parser quadratic', () => {
    const deep = `<rss><channel>${'<x>'.repeat(100_000)}</channel></rss>`;
    expect(code(() => parseFeed(deep, {}))).toBe('too_deep');
    const wide = `<rss><channel>${'<x>'.repeat(1999)}${'</nope>'.repeat(100_000)}</channel></rss>`;
    expect(code(() => parseFeed(wide, {}))).toBe('too_deep');
  });

  it('reads only the newest 1,000 entries of RSS, Atom and JSON Feed, undated ones last', () => {
    const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
    // Entry 0 is undated: it loses to every dated one.
    const rssItems = Array.from({ length: 1200 }, (_, i) =>
      i === 0
        ? '<item><title>无日期</title><link>https://x.cn/0</link></item>'
        : `<item><title>条目${i}</title><link>https://x.cn/${i}</link><pubDate>${at(i)}</pubDate></item>`,
    ).join('');
    const rss = parseFeed(`<rss><channel>${rssItems}</channel></rss>`, {});
    const atomEntries = Array.from(
      { length: 1200 },
      (_, i) =>
        `<entry><title>条目${i}</title><id>https://x.cn/${i}</id><updated>${at(1199 - i)}</updated></entry>`,
    ).join('');
    const atom = parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom">${atomEntries}</feed>`, {});
    const json = parseFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        items: Array.from({ length: 1200 }, (_, i) => ({
          id: String(i),
          url: `https://x.cn/${i}`,
          title: `条目${i}`,
          date_published: at(i % 600),
        })),
      }),
      {},
    );
    for (const feed of [rss, atom, json]) {
      expect(feed.entries).toHaveLength(1000);
      expect(feed.droppedEntries).toBe(200);
    }
    expect(rss.entries[0]?.title).toBe('条目200');
    expect(rss.entries.some((e) => e.title === '无日期')).toBe(false);
    // Atom lists newest first here: the first 1,000 are kept, in document order.
    expect(atom.entries[0]?.title).toBe('条目0');
    expect(atom.entries[999]?.title).toBe('条目999');
    // Dates 0–599 appear twice each: 100–599 fill the 1,000 places, and 0–99 are dropped.
    expect(json.entries[0]?.title).toBe('条目100');
    expect(json.entries.some((e) => e.title === '条目699')).toBe(false);
    expect(json.entries.some((e) => e.title === '条目700')).toBe(true);
  });

  it('reads at most 100 attributes of an element', () => {
    const attrs = Array.from({ length: 5000 }, (_, i) => `a${i}="${i}"`).join(' ');
    const feed = parseFeed(
      `<rss><channel><item ${attrs}><title>属性</title><link>https://x.cn/1</link></item></channel></rss>`,
      {},
    );
    expect(feed.entries[0]?.title).toBe('属性');
    expect(feed.clippedFields).toBe(1);
  });

  it('cuts a megabyte field before processing it and counts it', () => {
    const xml = `<rss><channel><item><title>${'长'.repeat(3_000_000)}</title><link>https://x.cn/1</link></item></channel></rss>`;
    const feed = parseFeed(xml, {});
    expect(feed.entries[0]?.title?.length).toBe(100_000);
    expect(feed.clippedFields).toBe(1);
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      items: [{ id: '1', url: 'https://x.cn/1', title: '长'.repeat(3_000_000) }],
    });
    const jf = parseFeed(json, {});
    expect(jf.entries[0]?.title?.length).toBe(100_000);
    expect(jf.clippedFields).toBe(1);
  });
});

describe('sniffDocument', () => {
  it('classifies documents', () => {
    expect(sniffDocument('\ufeff<?xml version="1.0"?>\n<!-- c --><rss version="2.0"/>', null)).toBe(
      'xml-feed',
    );
    expect(sniffDocument('<rdf:RDF xmlns:rdf="x"/>', 'text/xml')).toBe('xml-feed');
    expect(sniffDocument('<feed xmlns="http://www.w3.org/2005/Atom"/>', null)).toBe('xml-feed');
    expect(sniffDocument('{"version":"https://jsonfeed.org/version/1.1","items":[]}', null)).toBe(
      'json-feed',
    );
    expect(sniffDocument('<!doctype html><html></html>', null)).toBe('html');
    expect(sniffDocument('<div>x</div>', 'text/html; charset=utf-8')).toBe('html');
    expect(sniffDocument('<svg/>', 'image/svg+xml')).toBe('unknown');
  });
});

describe('parseFeedDate', () => {
  it.each([
    ['Thu, 01 Jan 2004 19:48:21 GMT', '2004-01-01T19:48:21.000Z'],
    ['Sat, 30 Aug 2025 10:30:00 +0800', '2025-08-30T02:30:00.000Z'],
    ['30 Aug 2025 10:30 EDT', '2025-08-30T14:30:00.000Z'],
    ['Sat,30 Aug 25 10:30:00 Z', '2025-08-30T10:30:00.000Z'],
    ['Sun Jan  4 16:29:06 PST 2004', '2004-01-05T00:29:06.000Z'],
    ['2003-12-31T10:14:55Z', '2003-12-31T10:14:55.000Z'],
    ['2003-12-31T10:14:55.250-08:00', '2003-12-31T18:14:55.250Z'],
    ['20031231T101455Z', '2003-12-31T10:14:55.000Z'],
    ['2003-12-31', '2003-12-31T00:00:00.000Z'],
    ['2025年8月30日 12:05', '2025-08-30T12:05:00.000Z'],
    ['2025/08/30 12:05:09', '2025-08-30T12:05:09.000Z'],
  ])('parses %s', (input, iso) => {
    expect(parseFeedDate(input)?.toISOString()).toBe(iso);
  });

  it('applies a default offset and rejects non-dates', () => {
    expect(parseFeedDate('2025-08-30 08:00', 480)?.toISOString()).toBe('2025-08-30T00:00:00.000Z');
    expect(parseFeedDate('2025-02-30')).toBeNull();
    expect(parseFeedDate('yesterday')).toBeNull();
    expect(parseFeedDate('')).toBeNull();
  });
});
