/**
 * The feeds of the pipeline benchmarks: 20 generated RSS feeds of 100 items each, in UTF-8,
 * GBK and Big5 (a third of them saying their charset only in the XML declaration).
 */
import { encodeFeed, entry, type FeedCharset, rng, rssText } from './gen.ts';

export const FEEDS = 20;
export const ITEMS = 100;

/** One generated feed: its bytes as served and its UTF-8 twin. */
export interface PipelineFeed {
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

/** The same 20 feeds on every run (seeded). */
export function generateFeeds(): PipelineFeed[] {
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
