import type { SourceKind } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import { decodeDocument } from './decode.ts';
import { keepNewest, MAX_ENTRIES } from './document-limits.ts';
import { discoverFeedLinks } from './feed-discovery.ts';
import { parseFeed } from './feed-parser.ts';
import { extractHeadlines } from './html-headlines.ts';
import { assertNestingBounded } from './nesting-guard.ts';
import type { ParsedEntry, ParsedFeed } from './parsed-feed.ts';
import { sniffDocument } from './sniff.ts';

/** What reading a document had to repair or leave out: shown in the source's health. */
export interface DocumentNotes {
  /** Charset that decoded the document. */
  encoding: string;
  /** Invalid UTF-8 sequences read as U+FFFD. */
  replaced: number;
  /** The XML was not well-formed and was read leniently. */
  bozo: boolean;
  /** Fields cut at `MAX_FIELD_CHARS` before processing. */
  clippedFields: number;
  /** Entries the document holds. */
  entries: number;
  /** Entries kept (the newest `MAX_ENTRIES`). */
  kept: number;
}

/** A fetched document, read as a feed, a headline page, or a page that links to feeds. */
export type ReadDocument =
  | { type: 'feed'; kind: SourceKind; feed: ParsedFeed; notes: DocumentNotes }
  | { type: 'links'; feedLinks: string[]; headlines: ParsedFeed | null; notes: DocumentNotes }
  | { type: 'none'; reason: string };

/** The part of a fetch result a document is read from. */
export interface FetchedBody {
  body: Uint8Array;
  contentType: string | null;
  /** Final URL of the document (the base of relative links). */
  url: string;
}

function timeOf(e: ParsedEntry): number {
  return (e.published ?? e.updated)?.getTime() ?? Number.NaN;
}

/** The feed with at most MAX_ENTRIES entries (the feed parsers choose them already), and its notes. */
function bounded(
  feed: ParsedFeed,
  encoding: string,
  replaced: number,
): { feed: ParsedFeed; notes: DocumentNotes } {
  const entries = keepNewest(feed.entries, MAX_ENTRIES, timeOf);
  return {
    feed: entries === feed.entries ? feed : { ...feed, entries },
    notes: {
      encoding,
      replaced,
      bozo: feed.bozo,
      clippedFields: feed.clippedFields,
      entries: feed.entries.length + feed.droppedEntries,
      kept: entries.length,
    },
  };
}

/**
 * Decode and parse a fetched body. `expect: 'html'` reads a known headline-list source.
 *
 * @throws NewsrelayError `entity_expansion` or `too_deep` when the document would cost more
 *   than its size should (document-limits.ts, nesting-guard.ts)
 */
export function readDocument(result: FetchedBody, expect?: SourceKind): ReadDocument {
  const decoded = decodeDocument(result.body, { contentType: result.contentType });
  const replaced = decoded.replaced ?? 0;
  const sniffed = sniffDocument(decoded.text, result.contentType);
  if (sniffed === 'html' || expect === 'html') {
    assertNestingBounded(decoded.text, true);
    const links = expect === 'html' ? [] : discoverFeedLinks(decoded.text, result.url);
    const page = extractHeadlines(decoded.text, result.url);
    const read = page ? bounded(page, decoded.encoding, replaced) : null;
    if (links.length > 0) {
      const notes = read?.notes ?? {
        encoding: decoded.encoding,
        replaced,
        bozo: false,
        clippedFields: 0,
        entries: 0,
        kept: 0,
      };
      return { type: 'links', feedLinks: links, headlines: read?.feed ?? null, notes };
    }
    if (read) return { type: 'feed', kind: 'html', feed: read.feed, notes: read.notes };
    return { type: 'none', reason: 'the page has no feed link and no list of headline links' };
  }
  if (sniffed === 'unknown') {
    return { type: 'none', reason: 'the document is neither a feed nor an HTML page' };
  }
  try {
    const read = bounded(parseFeed(decoded.text, { baseUrl: result.url }), decoded.encoding, replaced);
    return { type: 'feed', kind: read.feed.format, feed: read.feed, notes: read.notes };
  } catch (err) {
    if (err instanceof NewsrelayError && err.code === 'not_a_feed')
      return { type: 'none', reason: err.message };
    throw err;
  }
}

/** The notes an operator should see, as short English clauses (empty when the read was clean). */
export function describeNotes(notes: DocumentNotes): string[] {
  const out: string[] = [];
  if (notes.bozo) out.push('the XML is not well-formed and was read leniently');
  if (notes.replaced > 0)
    out.push(
      `${notes.replaced} invalid UTF-8 byte sequence${notes.replaced === 1 ? ' was' : 's were'} replaced`,
    );
  if (notes.clippedFields > 0)
    out.push(`${notes.clippedFields} over-long field${notes.clippedFields === 1 ? ' was' : 's were'} cut`);
  if (notes.kept < notes.entries)
    out.push(`only the newest ${notes.kept} of ${notes.entries} items were kept`);
  return out;
}
