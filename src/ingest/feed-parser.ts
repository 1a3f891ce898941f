/**
 * Entry point of feed parsing: sniffs the document and dispatches to the XML (RSS, RDF, Atom)
 * or JSON Feed parser. Pure: no network, no database.
 */
import { NewsrelayError } from '../errors.ts';
import { parseJsonFeed } from './json-feed.ts';
import type { ParsedFeed } from './parsed-feed.ts';
import { sniffDocument } from './sniff.ts';
import { parseXmlFeed } from './xml-feed-parser.ts';

/**
 * Parses a decoded feed document. Ill-formed XML is recovered leniently (`bozo: true`).
 *
 * @param text - the decoded document (see `decodeDocument`)
 * @param opts.baseUrl - the document's URL (or its Content-Location), for relative links
 * @throws NewsrelayError `not_a_feed` when the document is not a feed at all (HTML page, other XML, junk);
 *   `parse_failed` if the parser itself fails (a bug: lenient parsing is not meant to throw)
 */
export function parseFeed(text: string, opts: { baseUrl?: string | null } = {}): ParsedFeed {
  const baseUrl = opts.baseUrl ?? null;
  const kind = sniffDocument(text, null);
  if (kind === 'html') throw new NewsrelayError('not_a_feed', 'The document is an HTML page, not a feed');
  try {
    if (kind === 'json-feed' || (kind === 'unknown' && text.trimStart().startsWith('{'))) {
      return parseJsonFeed(text, baseUrl);
    }
    // 'unknown' XML may still hold a feed below a wrapper element.
    return parseXmlFeed(text, baseUrl);
  } catch (err) {
    if (err instanceof NewsrelayError) throw err;
    throw new NewsrelayError('parse_failed', 'The feed could not be parsed', { cause: err });
  }
}
