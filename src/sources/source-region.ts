/**
 * Regions of sources: the one an operator set, else a guess from the feed's host. The guess
 * table is kept small and here only: mainland hosts by their top-level domain and a few
 * well-known outlets under .com; .hk and .tw by theirs; everything else is overseas.
 */
import type { Region, Source } from '../domain/types.ts';

/** Every region, in the order `/story` shows them. */
export const REGIONS: readonly Region[] = ['mainland', 'hk', 'tw', 'overseas'];

/** Mainland outlets whose feeds are not under .cn (host or a parent domain of it). */
const MAINLAND_HOSTS: readonly string[] = [
  'xinhuanet.com',
  'people.com.cn',
  'chinadaily.com.cn',
  'cctv.com',
  'thepaper.cn',
  'caixin.com',
  'sina.com',
  'sohu.com',
  '163.com',
  'qq.com',
  'ifeng.com',
  'huanqiu.com',
  'jiemian.com',
  '36kr.com',
  'guancha.cn',
];
/** Hong Kong outlets outside .hk. */
const HK_HOSTS: readonly string[] = ['scmp.com', 'rthk.org', 'hk01.com', 'thestandnews.com'];
/** Taiwan outlets outside .tw. */
const TW_HOSTS: readonly string[] = ['ltn.com', 'storm.mg', 'setn.com', 'ettoday.net', 'twreporter.org'];

function under(host: string, domains: readonly string[]): boolean {
  return domains.some((d) => host === d || host.endsWith(`.${d}`));
}

/** The region a feed URL suggests (see the module comment); overseas when unsure or unparsable. */
export function guessRegion(url: string): Region {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return 'overseas';
  }
  if (host.endsWith('.cn') || under(host, MAINLAND_HOSTS)) return 'mainland';
  if (host.endsWith('.hk') || under(host, HK_HOSTS)) return 'hk';
  if (host.endsWith('.tw') || under(host, TW_HOSTS)) return 'tw';
  return 'overseas';
}

/** A source's region: the operator's choice, else the guess from its URL. */
export function regionOf(source: Pick<Source, 'url' | 'region'>): Region {
  return source.region ?? guessRegion(source.url);
}

/** `mainland`, `hk`, `tw`, `overseas` (and a few spellings) → a region; null when unknown. */
export function parseRegion(text: string): Region | null {
  const v = text.trim().toLowerCase();
  if (['mainland', 'cn', 'china', 'prc', '大陆', '大陸', '内地', '內地'].includes(v)) return 'mainland';
  if (['hk', 'hongkong', 'hong-kong', 'hong kong', '香港'].includes(v)) return 'hk';
  if (['tw', 'taiwan', '台湾', '台灣', '臺灣'].includes(v)) return 'tw';
  if (['overseas', 'intl', 'international', 'world', '海外'].includes(v)) return 'overseas';
  return null;
}
