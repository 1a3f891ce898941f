/** Fixture bytes and small feed builders for integration tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/feeds');

/** Raw bytes of a fixture in test/fixtures/feeds. */
export function fixture(name: string): Buffer {
  return readFileSync(path.join(dir, name));
}

/** The seed headline page without its `<link rel="alternate">` (so it must be read as HTML). */
export function seedPageWithoutFeedLink(): string {
  const html = fixture('seed-headlines.html').toString('utf8');
  const stripped = html.replace(/<link rel="alternate"[^>]*>\n?/g, '');
  if (stripped === html) throw new Error('seed page has no <link rel="alternate"> to strip');
  return stripped;
}

export interface FeedItem {
  title: string;
  link: string;
  guid?: string;
  pubDate?: Date;
  description?: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A UTF-8 RSS 2.0 document. */
export function rss(title: string, items: FeedItem[]): string {
  const body = items
    .map(
      (i) =>
        `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link>${
          i.guid ? `<guid isPermaLink="false">${esc(i.guid)}</guid>` : ''
        }${i.pubDate ? `<pubDate>${i.pubDate.toUTCString()}</pubDate>` : ''}${
          i.description ? `<description>${esc(i.description)}</description>` : ''
        }</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${esc(title)}</title><link>https://example.org/</link>\n${body}\n</channel></rss>\n`;
}

/** An item of {@link richFeed}. */
export interface RichItem {
  title: string;
  /** Path under the feed's base URL. */
  path: string;
  /** HTML, put in CDATA. */
  description?: string;
  image?: string;
}

/**
 * An RSS document of items with an HTML description and a lead image, the newest first; the
 * image as a Media RSS thumbnail or as an enclosure.
 */
export function richFeed(
  title: string,
  base: string,
  items: readonly RichItem[],
  imageAs: 'thumbnail' | 'enclosure',
): string {
  const image = (url: string) =>
    imageAs === 'thumbnail'
      ? `<media:thumbnail url="${esc(url)}"/>`
      : `<enclosure url="${esc(url)}" type="image/jpeg" length="1"/>`;
  const body = items
    .map(
      (i) =>
        `<item><title>${esc(i.title)}</title><link>${base}${i.path}</link><guid>${base}${i.path}</guid>` +
        `<pubDate>${new Date().toUTCString()}</pubDate>` +
        (i.description ? `<description><![CDATA[${i.description}]]></description>` : '') +
        (i.image ? image(i.image) : '') +
        '</item>',
    )
    .join('\n');
  const media = imageAs === 'thumbnail' ? ' xmlns:media="http://search.yahoo.com/mrss/"' : '';
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"${media}><channel><title>${esc(title)}</title><link>${base}/</link>${body}</channel></rss>`;
}

/** A date `hoursAgo` hours before now. */
export function hoursAgo(h: number): Date {
  return new Date(Date.now() - h * 3_600_000);
}

/** An RSS feed of items at `base` + path, published now (guid = link). */
export function rssAt(title: string, items: Array<{ title: string; path: string }>, base: string): string {
  const now = new Date();
  return rss(
    title,
    items.map((i) => ({ title: i.title, link: `${base}${i.path}`, guid: `${base}${i.path}`, pubDate: now })),
  );
}
