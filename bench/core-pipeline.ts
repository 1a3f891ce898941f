/**
 * Feed pipeline without database: decodeDocument → parseFeed → buildArticle (normalise,
 * index terms, fingerprint) over 20 generated RSS feeds of 100 items (UTF-8, GBK and Big5),
 * beside rss-parser's bare `parseString` on the same feeds in UTF-8.
 */
import Parser from 'rss-parser';
import { buildArticle } from '../src/ingest/article-builder.ts';
import { decodeDocument } from '../src/ingest/decode.ts';
import { parseFeed } from '../src/ingest/feed-parser.ts';
import { encodeFeed, entry, type FeedCharset, rng, rssText } from './lib/gen.ts';
import { median, round } from './lib/stats.ts';

const FEEDS = 20;
const ITEMS = 100;
const WARMUP = 3;
const ITERATIONS = 9;

interface Feed {
  url: string;
  charset: FeedCharset;
  bytes: Uint8Array;
  contentType: string;
  utf8: Uint8Array;
  utf8Text: string;
}

function charsetOf(f: number): FeedCharset {
  if (f % 7 === 3) return 'gbk';
  if (f % 7 === 5) return 'big5';
  return 'utf-8';
}

function generateFeeds(): Feed[] {
  const r = rng(7);
  return Array.from({ length: FEEDS }, (_, f) => {
    const charset = charsetOf(f);
    const script = charset === 'big5' ? 'hant' : 'mixed';
    const entries = Array.from({ length: ITEMS }, (_, n) => entry(r, f, f * ITEMS + n, script));
    const url = `https://news${f}.example.cn/rss.xml`;
    const title = charset === 'big5' ? `香港新聞${f}` : `新闻频道${f}`;
    const text = rssText(title, url, entries, charset);
    const utf8Text = rssText(title, url, entries, 'utf-8');
    // Half of the encoded feeds say their charset in the header too, half only in the XML declaration.
    const contentType = f % 2 === 0 ? `application/rss+xml; charset=${charset}` : 'application/rss+xml';
    return {
      url,
      charset,
      bytes: encodeFeed(text, charset),
      contentType,
      utf8: Buffer.from(utf8Text),
      utf8Text,
    };
  });
}

interface Timing {
  decode: number;
  parse: number;
  build: number;
  items: number;
}

function pipeline(feeds: readonly Feed[], useUtf8: boolean, now: Date): Timing {
  const t: Timing = { decode: 0, parse: 0, build: 0, items: 0 };
  for (const f of feeds) {
    const t0 = performance.now();
    const doc = decodeDocument(useUtf8 ? f.utf8 : f.bytes, {
      contentType: useUtf8 ? 'application/rss+xml' : f.contentType,
    });
    const t1 = performance.now();
    const parsed = parseFeed(doc.text, { baseUrl: f.url });
    const t2 = performance.now();
    for (const e of parsed.entries) if (buildArticle(e, 'src', f.url, now)) t.items++;
    const t3 = performance.now();
    t.decode += t1 - t0;
    t.parse += t2 - t1;
    t.build += t3 - t2;
  }
  return t;
}

async function rssParser(parser: Parser, feeds: readonly Feed[]): Promise<{ ms: number; items: number }> {
  let items = 0;
  const t0 = performance.now();
  for (const f of feeds) items += (await parser.parseString(f.utf8Text)).items.length;
  return { ms: performance.now() - t0, items };
}

export async function run(): Promise<Record<string, number | string>> {
  const feeds = generateFeeds();
  const now = new Date();
  const parser = new Parser();
  const totalItems = FEEDS * ITEMS;

  // Check once that every encoded feed decodes with the charset it was written in.
  const encodings = feeds.map((f) => decodeDocument(f.bytes, { contentType: f.contentType }).encoding);
  const wrong = feeds.filter((f, i) => (f.charset === 'gbk' ? 'gb18030' : f.charset) !== encodings[i]);
  if (wrong.length > 0)
    throw new Error(`feeds decoded with the wrong charset: ${wrong.map((f) => f.url).join(', ')}`);

  for (let i = 0; i < WARMUP; i++) {
    const t = pipeline(feeds, false, now);
    if (t.items !== totalItems) throw new Error(`pipeline built ${t.items} of ${totalItems} items`);
    pipeline(feeds, true, now);
    await rssParser(parser, feeds);
  }
  const mixed: Timing[] = [];
  const utf8: Timing[] = [];
  const ref: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    mixed.push(pipeline(feeds, false, now));
    utf8.push(pipeline(feeds, true, now));
    const r = await rssParser(parser, feeds);
    if (r.items !== totalItems) throw new Error(`rss-parser found ${r.items} of ${totalItems} items`);
    ref.push(r.ms);
  }
  const total = (t: Timing) => t.decode + t.parse + t.build;
  const mixedMs = median(mixed.map(total));
  const utf8Ms = median(utf8.map(total));
  const refMs = median(ref);
  const perSec = (ms: number) => Math.round((totalItems / ms) * 1000);
  const bytes = feeds.reduce((s, f) => s + f.bytes.length, 0);
  return {
    feeds: FEEDS,
    items_per_iteration: totalItems,
    charsets: `${feeds.filter((f) => f.charset === 'utf-8').length} utf-8, ${feeds.filter((f) => f.charset === 'gbk').length} gbk, ${feeds.filter((f) => f.charset === 'big5').length} big5`,
    feed_bytes_total: bytes,
    iterations: ITERATIONS,
    pipeline_items_per_s: perSec(mixedMs),
    pipeline_ms_median: round(mixedMs),
    decode_ms_median: round(median(mixed.map((t) => t.decode))),
    parse_ms_median: round(median(mixed.map((t) => t.parse))),
    build_ms_median: round(median(mixed.map((t) => t.build))),
    pipeline_utf8_items_per_s: perSec(utf8Ms),
    rss_parser_items_per_s: perSec(refMs),
    rss_parser_ms_median: round(refMs),
    ratio_pipeline_vs_rss_parser: round(refMs / mixedMs, 3),
    ratio_parse_only_vs_rss_parser: round(refMs / median(mixed.map((t) => t.decode + t.parse)), 3),
  };
}
