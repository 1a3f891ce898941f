/**
 * JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) → {@link ParsedFeed}.
 */
import { NewsrelayError } from '../errors.ts';
import { keepNewest, MAX_ENTRIES, MAX_FIELD_CHARS } from './document-limits.ts';
import { parseFeedDate } from './feed-dates.ts';
import { resolveUrl } from './feed-text.ts';
import type { ParsedEnclosure, ParsedEntry, ParsedFeed } from './parsed-feed.ts';

type Json = Record<string, unknown>;

function str(v: unknown): string | null {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

function obj(v: unknown): Json | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}

function url(v: unknown, base: string | null): string | null {
  const s = str(v);
  return s ? resolveUrl(s, base) : null;
}

function authorOf(item: Json): string | null {
  const authors = Array.isArray(item.authors) ? item.authors : item.author ? [item.author] : [];
  const names = authors.map((a) => str(obj(a)?.name)).filter((n): n is string => n !== null);
  return names.length > 0 ? names.join(', ') : null;
}

function entryOf(item: Json, base: string | null, feedAuthor: string | null): ParsedEntry {
  const enclosures: ParsedEnclosure[] = [];
  if (Array.isArray(item.attachments)) {
    for (const a of item.attachments) {
      const att = obj(a);
      const u = att ? url(att.url, base) : null;
      if (!att || !u) continue;
      const size = att.size_in_bytes;
      enclosures.push({
        url: u,
        type: str(att.mime_type),
        length: typeof size === 'number' ? String(size) : str(size),
      });
    }
  }
  const thumbnails = [url(item.image, base), url(item.banner_image, base)].filter(
    (u): u is string => u !== null,
  );
  const html = str(item.content_html);
  return {
    title: str(item.title),
    link: url(item.url, base) ?? url(item.external_url, base),
    id: str(item.id),
    summary: str(item.summary),
    content: html ?? str(item.content_text),
    author: authorOf(item) ?? feedAuthor,
    published: parseFeedDate(str(item.date_published)),
    updated: parseFeedDate(str(item.date_modified)),
    enclosures,
    thumbnails,
  };
}

/**
 * Parses a JSON Feed document.
 *
 * @param text - the decoded document
 * @param baseUrl - the document's URL, for relative URLs
 * @throws NewsrelayError `not_a_feed` when the text is not JSON or not a JSON Feed
 */
export function parseJsonFeed(text: string, baseUrl: string | null): ParsedFeed {
  let data: unknown;
  let clipped = 0;
  try {
    // Every string is cut to MAX_FIELD_CHARS as it is parsed, before anything else reads it.
    data = JSON.parse(text, (_key, value: unknown) => {
      if (typeof value !== 'string' || value.length <= MAX_FIELD_CHARS) return value;
      clipped++;
      return value.slice(0, MAX_FIELD_CHARS);
    });
  } catch (cause) {
    throw new NewsrelayError('not_a_feed', 'The document is not valid JSON', { cause });
  }
  const feed = obj(data);
  const version = str(feed?.version);
  if (!feed || !version?.startsWith('https://jsonfeed.org/version/') || !Array.isArray(feed.items)) {
    throw new NewsrelayError('not_a_feed', 'The JSON document is not a JSON Feed');
  }
  const base = url(feed.home_page_url, baseUrl) ?? baseUrl;
  const feedAuthor = authorOf(feed);
  const items = feed.items.map((i) => obj(i)).filter((i): i is Json => i !== null);
  const kept = keepNewest(items, MAX_ENTRIES, (i) => {
    const d = parseFeedDate(str(i.date_published)) ?? parseFeedDate(str(i.date_modified));
    return d?.getTime() ?? Number.NaN;
  });
  return {
    format: 'json',
    title: str(feed.title),
    link: url(feed.home_page_url, baseUrl),
    ttlMinutes: null,
    entries: kept.map((i) => entryOf(i, base, feedAuthor)),
    bozo: false,
    clippedFields: clipped,
    droppedEntries: items.length - kept.length,
  };
}
