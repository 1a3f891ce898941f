import type { SourceKind } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import { decodeDocument } from './decode.ts';
import { discoverFeedLinks } from './feed-discovery.ts';
import { parseFeed } from './feed-parser.ts';
import { extractHeadlines } from './html-headlines.ts';
import type { FetchResult } from './http-fetch.ts';
import type { ParsedFeed } from './parsed-feed.ts';
import { sniffDocument } from './sniff.ts';

/** A fetched document, read as a feed, a headline page, or a page that links to feeds. */
export type ReadDocument =
  | { type: 'feed'; kind: SourceKind; feed: ParsedFeed }
  | { type: 'links'; feedLinks: string[]; headlines: ParsedFeed | null }
  | { type: 'none'; reason: string };

/** Decode and parse a fetched body. `expect: 'html'` reads a known headline-list source. */
export function readDocument(result: FetchResult, expect?: SourceKind): ReadDocument {
  const decoded = decodeDocument(result.body, { contentType: result.contentType });
  const sniffed = sniffDocument(decoded.text, result.contentType);
  if (sniffed === 'html' || expect === 'html') {
    const links = expect === 'html' ? [] : discoverFeedLinks(decoded.text, result.url);
    const feed = extractHeadlines(decoded.text, result.url);
    if (links.length > 0) return { type: 'links', feedLinks: links, headlines: feed };
    if (feed) return { type: 'feed', kind: 'html', feed };
    return { type: 'none', reason: 'the page has no feed link and no list of headline links' };
  }
  if (sniffed === 'unknown') {
    return { type: 'none', reason: 'the document is neither a feed nor an HTML page' };
  }
  try {
    const feed = parseFeed(decoded.text, { baseUrl: result.url });
    return { type: 'feed', kind: feed.format, feed };
  } catch (err) {
    if (err instanceof NewsrelayError) return { type: 'none', reason: err.message };
    throw err;
  }
}
