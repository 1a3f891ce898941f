import type { SourceKind } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import { sourceIdFor } from '../store/source-store.ts';
import { canonicalUrl } from './canonical-url.ts';
import type { DocumentRead, FeedRead } from './document-job.ts';
import type { FetchResult, HttpFetcher } from './http-fetch.ts';
import type { ParsePool } from './parse-pool.ts';

/** What a new URL turned out to be after one fetch. */
export interface ProbedSource {
  /** The feed's URL (the page's feed link when the user gave a page). */
  url: string;
  kind: SourceKind;
  title: string | null;
  /** The feed read from `response`, its articles built for the source `url` becomes. */
  feed: FeedRead;
  response: FetchResult;
}

/** Reads a response in the parse pool, building articles for the source its URL would be. */
function read(parser: ParsePool, res: FetchResult, now: Date): Promise<DocumentRead> {
  return parser.read({
    body: res.body,
    contentType: res.contentType,
    url: res.url,
    sourceId: sourceIdFor(res.url),
    now: now.getTime(),
  });
}

/**
 * Fetch a URL once and decide whether it can be a source: a feed; an HTML page whose
 * `<link rel="alternate">` leads to a feed; or an HTML page with a list of headline links.
 * Anything else is refused with `not_a_feed` and a reason; a document that would cost more to
 * read than its size allows is refused with the parse pool's code.
 */
export async function probeSource(
  fetcher: HttpFetcher,
  parser: ParsePool,
  rawUrl: string,
  now = new Date(),
): Promise<ProbedSource> {
  const url = canonicalUrl(rawUrl);
  parser.warm();
  const first = await fetcher.fetch(url);
  const doc = await read(parser, first, now);
  if (doc.type === 'feed')
    return { url: first.url, kind: doc.feed.kind, title: doc.feed.title, feed: doc.feed, response: first };
  if (doc.type === 'links') {
    for (const link of doc.feedLinks.slice(0, 3)) {
      const res = await fetcher.fetch(link).catch(() => null);
      if (!res) continue;
      const linked = await read(parser, res, now).catch(() => null);
      if (linked?.type === 'feed') {
        return {
          url: res.url,
          kind: linked.feed.kind,
          title: linked.feed.title,
          feed: linked.feed,
          response: res,
        };
      }
    }
    if (doc.headlines)
      return {
        url: first.url,
        kind: 'html',
        title: doc.headlines.title,
        feed: doc.headlines,
        response: first,
      };
    throw new NewsrelayError('not_a_feed', `${url} links to feeds, but none of them could be read`, {
      params: { url },
    });
  }
  throw new NewsrelayError('not_a_feed', `${url} is not a feed: ${doc.reason}`, {
    params: { url, reason: doc.reason },
  });
}
