/**
 * Tells feeds from pages by their first bytes and Content-Type, before any full parse.
 */

const FEED_ROOTS = new Set(['rss', 'feed', 'rdf', 'channel']);
const HEAD_LIMIT = 4096;

/** Local name (lower case) of the first element of a markup document, or null. */
function firstElementName(text: string): string | null {
  const end = Math.min(text.length, HEAD_LIMIT);
  let i = 0;
  let htmlDoctype = false;
  while (i < end) {
    const lt = text.indexOf('<', i);
    if (lt < 0 || lt >= end) return null;
    const next = text[lt + 1];
    if (next === '?') {
      const e = text.indexOf('?>', lt + 2);
      if (e < 0) return null;
      i = e + 2;
    } else if (next === '!') {
      if (text.startsWith('<!--', lt)) {
        const e = text.indexOf('-->', lt + 4);
        if (e < 0) return null;
        i = e + 3;
      } else {
        if (/^<!doctype\s+html/i.test(text.slice(lt, lt + 15))) htmlDoctype = true;
        const e = text.indexOf('>', lt + 2);
        if (e < 0) return htmlDoctype ? 'html' : null;
        i = e + 1;
      }
    } else {
      const m = /^<([A-Za-z_][\w.:-]{0,60})/.exec(text.slice(lt, lt + 64));
      if (!m) return htmlDoctype ? 'html' : null;
      const name = m[1]!.toLowerCase();
      const colon = name.indexOf(':');
      const local = colon < 0 ? name : name.slice(colon + 1);
      // An XHTML doctype in front of <rss> is a generator's mistake; the root element decides.
      return FEED_ROOTS.has(local) || !htmlDoctype ? local : 'html';
    }
  }
  return htmlDoctype ? 'html' : null;
}

/**
 * Classifies a decoded document.
 *
 * @param text - the decoded body
 * @param contentType - the HTTP Content-Type, if any
 * @returns `xml-feed` (RSS, RDF, Atom), `json-feed`, `html`, or `unknown`
 */
export function sniffDocument(
  text: string,
  contentType: string | null,
): 'xml-feed' | 'json-feed' | 'html' | 'unknown' {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0xfeff)) i++;
  const first = text[i];
  if (first === '{') {
    const head = text.slice(i, i + HEAD_LIMIT);
    return head.includes('jsonfeed.org/version') || type === 'application/feed+json'
      ? 'json-feed'
      : 'unknown';
  }
  if (first !== '<') return type === 'text/html' ? 'html' : 'unknown';
  const root = firstElementName(text.slice(i));
  if (root && FEED_ROOTS.has(root)) return 'xml-feed';
  if (root === 'html' || type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  return 'unknown';
}
