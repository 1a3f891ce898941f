import type { SourceKind } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import { canonicalUrl } from './canonical-url.ts';
import { readDocument } from './document-reader.ts';
import type { FetchResult, HttpFetcher } from './http-fetch.ts';
import type { ParsedFeed } from './parsed-feed.ts';

/** What a new URL turned out to be after one fetch. */
export interface ProbedSource {
  /** The feed's URL (the page's feed link when the user gave a page). */
  url: string;
  kind: SourceKind;
  title: string | null;
  feed: ParsedFeed;
  response: FetchResult;
}

/**
 * Fetch a URL once and decide whether it can be a source: a feed; an HTML page whose
 * `<link rel="alternate">` leads to a feed; or an HTML page with a list of headline links.
 * Anything else is refused with `not_a_feed` and a reason.
 */
export async function probeSource(fetcher: HttpFetcher, rawUrl: string): Promise<ProbedSource> {
  const url = canonicalUrl(rawUrl);
  const first = await fetcher.fetch(url);
  const doc = readDocument(first);
  if (doc.type === 'feed')
    return { url: first.url, kind: doc.kind, title: doc.feed.title, feed: doc.feed, response: first };
  if (doc.type === 'links') {
    for (const link of doc.feedLinks.slice(0, 3)) {
      const res = await fetcher.fetch(link).catch(() => null);
      if (!res) continue;
      const linked = readDocument(res);
      if (linked.type === 'feed') {
        return {
          url: res.url,
          kind: linked.kind,
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
