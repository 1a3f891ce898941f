/**
 * The work a parse worker does for one fetched document: decode, parse (within the bounds of
 * document-limits.ts) and build the kept entries into articles. Pure and synchronous; the
 * parse pool runs it off the main thread under a time and memory limit.
 */
import type { SourceKind } from '../domain/types.ts';
import { type BuiltArticle, buildArticle } from './article-builder.ts';
import { type DocumentNotes, type FetchedBody, readDocument } from './document-reader.ts';
import type { ParsedFeed } from './parsed-feed.ts';

/** A fetched body to read, and the source its articles are built for. */
export interface DocumentJob extends FetchedBody {
  /** `html`: the source is a known headline page, read it as one. */
  expect?: SourceKind;
  /** Source the articles belong to. */
  sourceId: string;
  /** "Now" for the articles' dates, epoch milliseconds. */
  now: number;
}

/** A feed (or headline page) read and its kept entries built into articles. */
export interface FeedRead {
  kind: SourceKind;
  title: string | null;
  /** RSS `<ttl>` in minutes, when given. */
  ttlMinutes: number | null;
  /** Articles of the kept entries; entries without a link or id, or without a title, are left out. */
  articles: BuiltArticle[];
  notes: DocumentNotes;
}

/** What a document turned out to be. */
export type DocumentRead =
  | { type: 'feed'; feed: FeedRead }
  | { type: 'links'; feedLinks: string[]; headlines: FeedRead | null }
  | { type: 'none'; reason: string };

/**
 * Reads a document and builds its articles.
 *
 * @throws NewsrelayError `entity_expansion`, `too_deep` or `parse_failed`
 */
export function runDocumentJob(job: DocumentJob): DocumentRead {
  const now = new Date(job.now);
  const build = (kind: SourceKind, feed: ParsedFeed, notes: DocumentNotes): FeedRead => ({
    kind,
    title: feed.title,
    ttlMinutes: feed.ttlMinutes,
    articles: feed.entries
      .map((e) => buildArticle(e, job.sourceId, job.url, now))
      .filter((b): b is BuiltArticle => b !== null),
    notes,
  });
  const doc = readDocument(job, job.expect);
  if (doc.type === 'none') return doc;
  if (doc.type === 'feed') return { type: 'feed', feed: build(doc.kind, doc.feed, doc.notes) };
  return {
    type: 'links',
    feedLinks: doc.feedLinks,
    headlines: doc.headlines ? build('html', doc.headlines, doc.notes) : null,
  };
}
