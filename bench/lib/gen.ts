/**
 * Deterministic generator of realistic Chinese news: headlines and leads recombined from the
 * seed corpus (/work/shared/seeds), in Simplified and Traditional script, as parsed entries
 * or as RSS 2.0 documents (UTF-8, GBK or Big5 encoded).
 */
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { ParsedEntry } from '../../src/ingest/parsed-feed.ts';
import { convertScript } from '../../src/text/script-converter.ts';

const SEED_FILE = process.env.BENCH_SEED_FILE ?? '/work/shared/seeds/000_eb0fc7206f7cd6cf.txt';
const HAN = /\p{Script=Han}/u;
const DATE_ONLY = /^[\d\s:.-]+$/;

/** mulberry32: a small seeded PRNG so every run generates the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

let seeds: { titles: string[]; bodies: string[] } | null = null;

/** Seed headlines (short lines) and lead sentences (long lines). */
export function seedLines(): { titles: string[]; bodies: string[] } {
  if (seeds) return seeds;
  const lines = readFileSync(SEED_FILE, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && HAN.test(l) && !DATE_ONLY.test(l));
  const titles = lines.filter((l) => [...l].length >= 8 && [...l].length <= 45);
  const bodies = lines.filter((l) => [...l].length > 45);
  seeds = { titles, bodies: bodies.length > 0 ? bodies : titles };
  return seeds;
}

/** Names that appear rarely (about one title in 2,000 each), for "rare name" queries. */
export const RARE_NAMES = ['林郑月娥', '古特雷斯', '左洪波', '丘应桦', '陈美宝', '胡鸿烈', '李成钢', '卢拉'];
const PREFIXES = ['', '', '', '【快讯】', '独家|', '直播:', '(更新)', '视频丨', '图集:'];
/** Place names the headlines start with (about one in twenty each): keywords for digests. */
export const PLACES = ['香港', '上海', '天津', '北京', '台北', '广州', '深圳', '澳门', '新加坡', '伦敦'];

/** Splits a headline at its first space, 丨, | or colon, for recombination. */
function halves(t: string): [string, string] {
  const m = /[ 丨|:：]/.exec(t);
  if (!m || m.index < 2 || m.index > t.length - 3) {
    const mid = Math.ceil(t.length / 2);
    return [t.slice(0, mid), t.slice(mid)];
  }
  return [t.slice(0, m.index), t.slice(m.index + 1)];
}

/** One headline; `script` decides Simplified (as seeded), Traditional (Taiwan) or mixed. */
export function headline(r: () => number, script: 'mixed' | 'hans' | 'hant' = 'mixed'): string {
  return headlineWithScript(r, script).title;
}

function headlineWithScript(
  r: () => number,
  script: 'mixed' | 'hans' | 'hant',
): { title: string; traditional: boolean } {
  const { titles } = seedLines();
  const a = halves(pick(r, titles));
  const b = halves(pick(r, titles));
  let t = r() < 0.5 ? `${a[0]} ${b[1]}` : `${pick(r, PLACES)}${a[1]} ${b[0]}`;
  if (r() < 0.004) t = `${pick(r, RARE_NAMES)}:${t}`;
  if (r() < 0.3) t = `${t} 第${1 + Math.floor(r() * 500)}期`;
  t = pick(r, PREFIXES) + t;
  const convert = script === 'hant' || (script === 'mixed' && r() < 0.35);
  return { title: convert ? convertScript(t, 'hant') : t, traditional: convert };
}

/** A lead of two or three seed sentences, as HTML. */
export function leadHtml(r: () => number, traditional: boolean): string {
  const { bodies } = seedLines();
  const n = 2 + Math.floor(r() * 2);
  const parts = Array.from({ length: n }, () => pick(r, bodies));
  const html = `<p>${parts.join('</p><p>')}</p><p><img src="https://img.example.cn/${Math.floor(r() * 1e6)}.jpg" alt=""/></p>`;
  return traditional ? convertScript(html, 'hant') : html;
}

const BASE_TIME = Date.UTC(2025, 7, 30, 12, 0, 0);

/** Entry `n` of source `s`: unique link and guid, publication times spread over 30 days. */
export function entry(
  r: () => number,
  s: number,
  n: number,
  script: 'mixed' | 'hans' | 'hant' = 'mixed',
): ParsedEntry {
  const { title, traditional } = headlineWithScript(r, script);
  return {
    title,
    link: `https://news${s}.example.cn/${2025}/${(n % 12) + 1}/a${n}.html?utm_source=rss`,
    id: `src${s}-item-${n}`,
    summary: leadHtml(r, traditional),
    content: null,
    author: r() < 0.3 ? '记者 王小明' : null,
    published: new Date(BASE_TIME - Math.floor(r() * 30 * 86400_000)),
    updated: null,
    enclosures: [],
    thumbnails: [],
  };
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Charsets the generated feeds use. */
export type FeedCharset = 'utf-8' | 'gbk' | 'big5';

/** RSS 2.0 text of a feed of `entries`, declaring `charset` in its XML declaration. */
export function rssText(
  title: string,
  link: string,
  entries: readonly ParsedEntry[],
  charset: FeedCharset,
): string {
  const items = entries
    .map(
      (e) => `    <item>
      <title>${xmlEscape(e.title ?? '')}</title>
      <link>${xmlEscape(e.link ?? '')}</link>
      <guid isPermaLink="false">${xmlEscape(e.id ?? '')}</guid>
      <pubDate>${(e.published ?? new Date(BASE_TIME)).toUTCString()}</pubDate>
${e.author ? `      <author>${xmlEscape(e.author)}</author>\n` : ''}      <description><![CDATA[${e.summary ?? ''}]]></description>
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="${charset}"?>
<rss version="2.0">
  <channel>
    <title>${xmlEscape(title)}</title>
    <link>${xmlEscape(link)}</link>
    <description>${xmlEscape(title)} 新闻</description>
    <language>${charset === 'big5' ? 'zh-hk' : 'zh-cn'}</language>
    <ttl>10</ttl>
${items}
  </channel>
</rss>
`;
}

/** Encodes feed text in its charset (Big5 feeds must be in Traditional script already). */
export function encodeFeed(text: string, charset: FeedCharset): Uint8Array {
  return charset === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, charset);
}
