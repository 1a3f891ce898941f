/**
 * Feed autodiscovery: the `<link rel="alternate">` feeds an HTML page advertises.
 */
import { Parser } from 'htmlparser2';
import { resolveUrl } from './feed-text.ts';

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/feed+json',
  'application/json',
]);

/**
 * Lists the feeds a page's `<head>` links to with `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json|json">`.
 *
 * @param html - the decoded page
 * @param baseUrl - the page's URL (a `<base href>` in the page takes precedence)
 * @returns absolute feed URLs in document order, without duplicates
 */
export function discoverFeedLinks(html: string, baseUrl: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  let base = baseUrl;
  let sawBase = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'base' && !sawBase && attrs.href) {
          sawBase = true;
          base = resolveUrl(attrs.href.trim(), baseUrl);
          return;
        }
        if (name !== 'link' || !attrs.href) return;
        const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
        const type = (attrs.type ?? '').split(';')[0]!.trim().toLowerCase();
        if (!rel.includes('alternate') || !FEED_TYPES.has(type)) return;
        const url = resolveUrl(attrs.href.trim(), base);
        if (!/^https?:\/\//i.test(url) || seen.has(url)) return;
        seen.add(url);
        found.push(url);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  // Feed links belong in <head>: skip the body, which is most of the page.
  const body = html.search(/<body[\s>]/i);
  parser.end(body < 0 ? html : html.slice(0, body));
  return found;
}
