/**
 * Document generators of the hostile corpus: feeds and pages in several charsets with the
 * charset declared (rightly, wrongly or not at all) in every place a charset can be declared,
 * and the bombs, truncations and junk.
 */
import iconv from 'iconv-lite';

export { rng } from '../../bench/lib/gen.ts';

/** A title per charset, with text only that charset (and Unicode) can hold. */
export const TITLES = {
  'utf-8': '美国批准丹麦格陵兰岛协议',
  gbk: '华夏新闻：安徽宿州储热项目投运 朱镕基陶喆',
  big5: '香港新聞：李家超參觀香港抗戰及海防博物館',
  'windows-1252': 'Élection présidentielle à Besançon : les électeurs déçus',
} as const;

export type Charset = keyof typeof TITLES | 'utf-16le' | 'utf-16be';

/** Body text written in the charset's script, enough for statistical detection to work on. */
const LEADS: Record<keyof typeof TITLES, string> = {
  'utf-8': '国务院新闻办公室今天举行新闻发布会，介绍经济社会发展情况，并回答记者提问。',
  gbk: '国务院新闻办公室今天举行新闻发布会，介绍经济社会发展情况，并回答记者提问。',
  big5: '香港特別行政區政府今日舉行記者會，介紹經濟及社會發展情況，並回答記者提問。',
  'windows-1252': 'Le gouvernement a présenté aujourd’hui son rapport économique, très attendu à Besançon.',
};

export interface Item {
  title: string;
  link: string;
  pubDate?: string;
  description?: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An RSS 2.0 document; `encoding` goes into the XML declaration (`null`: no declaration). */
export function rss(items: readonly Item[], opts: { encoding?: string | null; title?: string } = {}): string {
  const decl =
    opts.encoding === null
      ? ''
      : `<?xml version="1.0"${opts.encoding === undefined ? '' : ` encoding="${opts.encoding}"`}?>\n`;
  const body = items
    .map(
      (i) =>
        `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link>${
          i.pubDate ? `<pubDate>${i.pubDate}</pubDate>` : ''
        }${i.description ? `<description>${esc(i.description)}</description>` : ''}</item>`,
    )
    .join('\n');
  return `${decl}<rss version="2.0"><channel><title>${esc(opts.title ?? '新闻')}</title><link>https://hostile.example/</link>\n${body}\n</channel></rss>\n`;
}

/** An HTML headline page; `meta` is put into `<head>` as written. */
export function page(items: readonly Item[], meta = ''): string {
  const list = items
    .map((i) => `<li><a href="${i.link}">${esc(i.title)}</a> <span>2025-08-30</span></li>`)
    .join('\n');
  return `<!DOCTYPE html><html><head>${meta}<title>新闻网</title></head><body><div class="nav"><a href="/">首页</a></div><ul class="news-list">\n${list}\n</ul></body></html>\n`;
}

/** Items whose first title is the charset's test title, with leads long enough for detection. */
export function charsetItems(charset: keyof typeof TITLES, base: string): Item[] {
  return Array.from({ length: 6 }, (_, i) => ({
    title: i === 0 ? TITLES[charset] : `${TITLES[charset]} ${i}`,
    link: `https://hostile.example/${base}/${i}`,
    pubDate: new Date(Date.UTC(2025, 7, 30, 12, i)).toUTCString(),
    description: LEADS[charset],
  }));
}

/** Encodes text in a charset (UTF-16 with its BOM). */
export function encode(text: string, charset: Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  if (charset === 'utf-16le') return iconv.encode(text, 'utf-16le', { addBOM: true });
  if (charset === 'utf-16be') return iconv.encode(text, 'utf-16be', { addBOM: true });
  return iconv.encode(text, charset);
}

/** `n` random bytes. */
export function junk(random: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

/** A UTF-8 feed of `n` items with Chinese titles, newest first. */
export function chineseFeed(n: number, base: string, encoding: string | null = 'utf-8'): string {
  return rss(
    Array.from({ length: n }, (_, i) => ({
      title: `${TITLES['utf-8']}（第${i}条）`,
      link: `https://hostile.example/${base}/${i}`,
      pubDate: new Date(Date.UTC(2025, 7, 30, 12) - i * 60_000).toUTCString(),
      description: LEADS['utf-8'],
    })),
    { encoding },
  );
}

/** The issue's out-of-memory document: one entity of 1,000 Chinese characters, used `times` times. */
export function flatEntityBomb(times: number): string {
  return `<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss [<!ENTITY a "${'中'.repeat(1000)}">]><rss version="2.0"><channel><title>实体</title><item><title>${'&a;'.repeat(times)}</title><link>https://hostile.example/entity/1</link></item></channel></rss>`;
}

/**
 * A feed of `n` tiny items (about 90 bytes each: relative links, basic ISO dates one second
 * apart, newest first), so that 100,000 of them fit within the 10 MiB body cap.
 */
export function compactFeed(n: number, base: string): string {
  const t0 = Date.UTC(2025, 7, 30, 12);
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    const date = new Date(t0 - i * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    items.push(`<item><title>${i}</title><link>/${base}/${i}</link><pubDate>${date}</pubDate></item>`);
  }
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>多</title>${items.join('')}</channel></rss>`;
}
