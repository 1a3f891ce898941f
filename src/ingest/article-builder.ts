import { createHash } from 'node:crypto';
import type { Article } from '../domain/types.ts';
import { clipGraphemes } from '../text/clip-text.ts';
import { fingerprint } from '../text/fingerprint.ts';
import { indexTerms } from '../text/index-terms.ts';
import { stripUnsafeCharacters } from '../text/normalise.ts';
import { canonicalUrl } from './canonical-url.ts';
import { MAX_FIELD_CHARS } from './document-limits.ts';
import { htmlToText } from './feed-text.ts';
import { leadImage } from './lead-image.ts';
import type { ParsedEntry } from './parsed-feed.ts';

const SUMMARY_CHARS = 600;
const TITLE_CHARS = 300;
const AUTHOR_CHARS = 200;

/** An entry turned into an article, with the key that says whether the source served it before. */
export interface BuiltArticle {
  /** `g:` + guid when the feed gives one, else `u:` + canonical URL (hashed). */
  seenKey: string;
  article: Article;
}

/** Stable article id: a hash of the canonical URL (or of source and guid when there is no link). */
export function articleIdFor(canonical: string): string {
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

function shortHash(s: string): string {
  return createHash('sha1').update(s).digest('base64url').slice(0, 16);
}

/** Display text of a field: bounded before any work, unsafe characters gone, whitespace collapsed. */
function cleanText(s: string): string {
  return stripUnsafeCharacters(s.length > MAX_FIELD_CHARS ? s.slice(0, MAX_FIELD_CHARS) : s)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Turn a parsed entry into an article: canonical URL, plain-text title and lead (without
 * control, bidi-override or zero-width characters; cut on a user-perceived character), the lead
 * image (`lead-image.ts`), dates (missing or future ones become
 * `now`), index terms and the title's fingerprint. Entries with neither a usable link nor an id, or
 * without any title text, give null.
 */
export function buildArticle(
  entry: ParsedEntry,
  sourceId: string,
  feedUrl: string,
  now: Date,
): BuiltArticle | null {
  let url: string | null = null;
  if (entry.link) {
    try {
      url = canonicalUrl(entry.link, feedUrl);
    } catch {
      url = null;
    }
  }
  const guid = entry.id?.trim() || null;
  if (!url && !guid) return null;
  const lead = entry.summary ?? entry.content ?? '';
  const summaryText = cleanText(
    htmlToText(lead.length > MAX_FIELD_CHARS ? lead.slice(0, MAX_FIELD_CHARS) : lead),
  );
  const rawTitle = cleanText(entry.title ?? '') || summaryText.slice(0, 80);
  if (!rawTitle) return null;
  const title = clipGraphemes(rawTitle, TITLE_CHARS);
  const summary = clipGraphemes(summaryText, SUMMARY_CHARS);
  const published = entry.published ?? entry.updated;
  const publishedAt = published && published.getTime() <= now.getTime() + 60_000 ? published : now;
  const id = articleIdFor(url ?? `guid:${sourceId}:${guid}`);
  return {
    seenKey: guid ? `g:${shortHash(guid)}` : `u:${shortHash(url!)}`,
    article: {
      id,
      sourceId,
      url: url ?? (guid && /^https?:\/\//i.test(guid) ? guid : feedUrl),
      guid,
      title,
      summary,
      author: entry.author ? clipGraphemes(cleanText(entry.author), AUTHOR_CHARS) || null : null,
      publishedAt,
      fetchedAt: now,
      fingerprint: fingerprint(title),
      clusterId: id,
      terms: indexTerms(title),
      imageUrl: leadImage(entry, url ?? feedUrl),
    },
  };
}
