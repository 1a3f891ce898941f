/**
 * The lead image of a feed entry: the first usable one of its media thumbnails and image
 * `media:content` (already collected by the parsers), image enclosures, then the first `<img>` of
 * its content or summary. Every candidate is hostile input: only an absolute http(s) URL without
 * credentials, of bounded length, is kept (never `javascript:`, `data:` or a relative path that
 * cannot be resolved).
 */
import { decodeHTML } from 'entities';
import type { ParsedEntry } from './parsed-feed.ts';

/** Longest image URL kept (characters); longer ones are left out, never cut. */
export const MAX_IMAGE_URL_CHARS = 1000;

/** `<img>` tags looked at in one content value, and characters read of one tag. */
const MAX_IMG_TAGS = 20;
const MAX_TAG_CHARS = 4000;

const IMAGE_PATH = /\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])/i;
const SRC_ATTR = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

/**
 * `raw` as a safe absolute image URL (resolved against `base` when relative), or null: only
 * http(s), with a host, without user name or password, without control characters, at most
 * {@link MAX_IMAGE_URL_CHARS} characters.
 */
export function safeImageUrl(raw: string, base: string | null): string | null {
  const text = raw.trim();
  if (text === '' || text.length > MAX_IMAGE_URL_CHARS) return null;
  // Control characters and spaces inside a URL are a trick or damage, not an address.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(text)) return null;
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname || url.username || url.password) return null;
  const href = url.href;
  return href.length <= MAX_IMAGE_URL_CHARS ? href : null;
}

/** `src` values of the first {@link MAX_IMG_TAGS} `<img>` tags of an HTML fragment, entities decoded. */
export function imgSources(html: string): string[] {
  const found: string[] = [];
  let from = 0;
  for (let tags = 0; tags < MAX_IMG_TAGS; tags++) {
    const at = indexOfImg(html, from);
    if (at < 0) break;
    const tag = html.slice(at, tagEnd(html, at));
    const m = SRC_ATTR.exec(tag);
    const value = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
    if (value) found.push(value.indexOf('&') < 0 ? value : decodeHTML(value));
    from = at + 4;
  }
  return found;
}

/** End of the tag starting at `at`: its first `>` outside quotes, read at most {@link MAX_TAG_CHARS} far. */
function tagEnd(html: string, at: number): number {
  const stop = Math.min(html.length, at + MAX_TAG_CHARS);
  let quote = '';
  for (let i = at + 1; i < stop; i++) {
    const c = html[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return stop;
}

/** Index of the next `<img` tag start (case-insensitive, followed by a space or `/`) from `from`. */
function indexOfImg(html: string, from: number): number {
  for (let i = html.indexOf('<', from); i >= 0; i = html.indexOf('<', i + 1)) {
    if (html.slice(i + 1, i + 4).toLowerCase() === 'img' && /[\s/]/.test(html[i + 4] ?? '')) return i;
  }
  return -1;
}

/** The entry's lead image as a safe absolute URL, or null; relative URLs resolve against `base`. */
export function leadImage(entry: ParsedEntry, base: string | null): string | null {
  const candidates = function* (): Generator<string> {
    yield* entry.thumbnails;
    for (const e of entry.enclosures) {
      const type = (e.type ?? '').toLowerCase();
      if (type.startsWith('image/') || (type === '' && IMAGE_PATH.test(e.url))) yield e.url;
    }
    for (const html of [entry.content, entry.summary]) if (html) yield* imgSources(html);
  };
  for (const raw of candidates()) {
    const safe = safeImageUrl(raw, base);
    if (safe) return safe;
  }
  return null;
}
