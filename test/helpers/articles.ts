/**
 * Articles for tests beneath ingest: built from a URL and a title as ingest builds them, and
 * stored with their journal entry as a fetch stores them.
 */
import type { CoreInternals } from '../../src/core.ts';
import type { Article } from '../../src/domain/types.ts';
import { articleIdFor } from '../../src/ingest/article-builder.ts';
import { indexEntryOf } from '../../src/store/search-index.ts';
import { fingerprint } from '../../src/text/fingerprint.ts';
import { indexTerms } from '../../src/text/index-terms.ts';

/** An article of `sourceId` at `url` titled `title`, fetched and published a minute ago unless told. */
export function testArticle(o: {
  sourceId: string;
  url: string;
  title: string;
  fetchedAt?: Date;
  /** Text the fingerprint is taken from (default the title). */
  fingerprintOf?: string;
}): Article {
  const at = o.fetchedAt ?? new Date(Date.now() - 60_000);
  const id = articleIdFor(o.url);
  return {
    id,
    sourceId: o.sourceId,
    url: o.url,
    guid: null,
    title: o.title,
    summary: '',
    author: null,
    publishedAt: at,
    fetchedAt: at,
    fingerprint: fingerprint(o.fingerprintOf ?? o.title),
    clusterId: id,
    terms: indexTerms(o.title),
  };
}

/** Store `articles` and append their journal entries, as a fetch does. */
export async function storeArticles(
  x: Pick<CoreInternals, 'stores' | 'journal'>,
  ...articles: Article[]
): Promise<void> {
  await x.stores.articles.insertNew(articles);
  await x.journal.append(articles.map(indexEntryOf));
}
