/**
 * Canonical form of article and source URLs, so that one story linked with different
 * tracking parameters, fragments or host spellings is stored once.
 */
import { NewsrelayError } from '../errors.ts';

/**
 * Query parameters that only track where a click came from, removed by {@link canonicalUrl}:
 * every `utm_*`, the ad click ids (Google, Microsoft, Meta, Yandex, TikTok, X, LinkedIn),
 * newsletter ids (Mailchimp, HubSpot, Marketo, Vero), and the share markers of Chinese
 * platforms (Alibaba `spm`/`scm`, Toutiao/Douyin `share_token`, WeChat `isappinstalled`,
 * Weibo `wfr`). Names are compared in lower case.
 */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'ttclid',
  'twclid',
  'li_fat_id',
  'igshid',
  'igsh',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'vero_id',
  'oly_anon_id',
  'oly_enc_id',
  'rb_clickid',
  '_ga',
  '_gl',
  'spm',
  'scm',
  'share_token',
  'share_source',
  'share_medium',
  'isappinstalled',
  'wfr',
]);

/**
 * `from` is a tracking marker on WeChat and other Chinese share links
 * (`from=singlemessage`), but also a real parameter on some sites (an offset, a section), so
 * it is removed only with one of these values.
 */
const TRACKING_FROM_VALUES: ReadonlySet<string> = new Set([
  'singlemessage',
  'groupmessage',
  'timeline',
  'message',
  'share',
  'weixin',
  'wechat',
  'qq',
  'weibo',
  'toutiao',
  'app',
  'androidqq',
  'iphoneqq',
]);

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function isTracking(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower.startsWith('utm_') || TRACKING_PARAMS.has(lower)) return true;
  return lower === 'from' && TRACKING_FROM_VALUES.has(value.toLowerCase());
}

function parse(raw: string, base?: string): URL | null {
  try {
    return new URL(raw.trim(), base);
  } catch {
    return null;
  }
}

/** True when `s` parses as an absolute http(s) URL. */
export function isHttpUrl(s: string): boolean {
  const url = parse(s);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/**
 * Canonical form of a URL: absolute (resolved against `base`), scheme and host in lower case,
 * host in punycode without a trailing dot, no default port, no fragment, no tracking
 * parameters ({@link TRACKING_PARAMS}), the remaining parameters sorted by name (stable, so
 * repeated names keep their order) with their original encoding, no empty `?`. The path,
 * its case and any userinfo are kept (see {@link redactUrl} for display).
 *
 * @throws NewsrelayError `url_invalid` when the URL cannot be parsed or is not http(s).
 */
export function canonicalUrl(raw: string, base?: string): string {
  const url = parse(raw, base);
  if (url === null) throw new NewsrelayError('url_invalid', `not a valid URL: ${redactUrl(raw)}`);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new NewsrelayError('url_invalid', `not an http(s) URL: ${redactUrl(url.href)}`);
  }
  url.hash = '';
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.replace(/\.+$/, '');
  url.search = canonicalQuery(url.search);
  return url.href;
}

function canonicalQuery(search: string): string {
  if (search.length <= 1) return '';
  // Split by hand rather than through URLSearchParams, which would re-encode the values
  // (%20 → +) and so change what the server receives.
  const kept = search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
      return { pair, name, value };
    })
    .filter(({ name, value }) => !isTracking(name, value));
  kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return kept.length === 0 ? '' : `?${kept.map((p) => p.pair).join('&')}`;
}

/**
 * The URL without its userinfo (`https://user:secret@host/` → `https://host/`), for error
 * messages and logs. Strings that do not parse are returned with anything up to an `@`
 * before the first `/` after the scheme removed.
 */
export function redactUrl(raw: string): string {
  const url = parse(raw);
  if (url === null) return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  if (url.username === '' && url.password === '') return url.href;
  url.username = '';
  url.password = '';
  return url.href;
}
