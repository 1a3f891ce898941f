/**
 * What the parsers produce: one shape for RSS, Atom, RDF, JSON Feed and HTML headline lists.
 * Text fields are plain text unless named `*Html`; URLs are absolute where a base was known.
 */

/** A media enclosure of an entry. */
export interface ParsedEnclosure {
  url: string;
  type: string | null;
  /** Byte length as the feed gave it (a string, as feeds write it). */
  length: string | null;
}

/** One entry of a feed. Absent values are `null`, never `undefined`. */
export interface ParsedEntry {
  title: string | null;
  /** The alternate link (for RSS, a `guid isPermaLink="true"` stands in when there is no link). */
  link: string | null;
  id: string | null;
  /** Summary / description, as HTML when the feed gave HTML. */
  summary: string | null;
  /** First content value, as HTML when the feed gave HTML. */
  content: string | null;
  author: string | null;
  published: Date | null;
  updated: Date | null;
  enclosures: ParsedEnclosure[];
  thumbnails: string[];
}

/** A parsed feed document. */
export interface ParsedFeed {
  format: 'rss' | 'atom' | 'rdf' | 'json' | 'html';
  title: string | null;
  link: string | null;
  /** RSS `<ttl>` in minutes, when given. */
  ttlMinutes: number | null;
  entries: ParsedEntry[];
  /** True when the document was not well-formed and was recovered leniently. */
  bozo: boolean;
  /** Fields whose text was cut at `MAX_FIELD_CHARS` (document-limits.ts) before processing. */
  clippedFields: number;
  /** Entries left out, beyond the newest `MAX_ENTRIES` (document-limits.ts), before being read. */
  droppedEntries: number;
}

/** A decoded document: its text and the charset that decoded it. */
export interface DecodedDocument {
  text: string;
  /** Lower-case charset name (e.g. `utf-8`, `gb18030`, `big5`, `windows-1252`). */
  encoding: string;
  /** Invalid byte sequences replaced by U+FFFD when damaged UTF-8 was read as UTF-8. */
  replaced?: number;
}
