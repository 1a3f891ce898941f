/**
 * Maps the lenient XML tree of an RSS 0.9x/1.0/2.0 or Atom 0.3/1.0 document to {@link ParsedFeed}.
 * Field precedence follows the Universal Feed Parser where a news bot can tell the difference.
 */
import { NewsrelayError } from '../errors.ts';
import { keepNewest, MAX_ENTRIES } from './document-limits.ts';
import { parseFeedDate } from './feed-dates.ts';
import {
  atomContent,
  type ContentValue,
  plainText,
  resolveUrl,
  rssContent,
  serializeChildren,
} from './feed-text.ts';
import type { ParsedEnclosure, ParsedEntry, ParsedFeed } from './parsed-feed.ts';
import { parseXmlTree, textOf, type XElement, type XmlTree } from './xml-tree.ts';

const FEED_ROOTS = new Set(['rss', 'rdf', 'feed', 'channel']);

function findRoot(roots: XElement[]): XElement | null {
  for (const r of roots) if (FEED_ROOTS.has(r.local)) return r;
  // Some generators wrap the feed in another element.
  for (const r of roots)
    for (const c of r.children) if (typeof c !== 'string' && FEED_ROOTS.has(c.local)) return c;
  return null;
}

/** Element children of `el` with local name `local` in one of the namespaces `ns`. */
function kids(el: XElement, local: string, ns: readonly string[]): XElement[] {
  const out: XElement[] = [];
  for (const c of el.children)
    if (typeof c !== 'string' && c.local === local && ns.includes(c.ns)) out.push(c);
  return out;
}

function kid(el: XElement, local: string, ns: readonly string[]): XElement | null {
  for (const c of el.children) if (typeof c !== 'string' && c.local === local && ns.includes(c.ns)) return c;
  return null;
}

const CORE = [''] as const;
const ATOM = ['atom', ''] as const;
const DC = ['dc'] as const;
const DCTERMS = ['dcterms'] as const;

function nonEmpty(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = s.trim();
  return t === '' ? null : t;
}

/** The last parseable date among the elements (later values overwrite earlier ones, as in feedparser). */
function lastDate(els: XElement[]): Date | null {
  let d: Date | null = null;
  for (const el of els) d = parseFeedDate(textOf(el)) ?? d;
  return d;
}

function mediaExtras(item: XElement): {
  thumbnails: string[];
  title: XElement | null;
  description: XElement | null;
} {
  const thumbnails: string[] = [];
  let title: XElement | null = null;
  let description: XElement | null = null;
  const visit = (el: XElement): void => {
    for (const c of el.children) {
      if (typeof c === 'string' || c.ns !== 'media') continue;
      if (c.local === 'group') visit(c);
      else if (c.local === 'thumbnail') {
        const url = nonEmpty(c.attrs.url);
        if (url) thumbnails.push(resolveUrl(url, c.base));
      } else if (c.local === 'content') {
        const url = nonEmpty(c.attrs.url);
        const medium = c.attrs.medium ?? '';
        if (url && (medium === 'image' || (c.attrs.type ?? '').startsWith('image/'))) {
          thumbnails.push(resolveUrl(url, c.base));
        }
        visit(c);
      } else if (c.local === 'title') title ??= c;
      else if (c.local === 'description') description ??= c;
    }
  };
  visit(item);
  return { thumbnails: [...new Set(thumbnails)], title, description };
}

function contentText(v: ContentValue | null): string | null {
  return v ? nonEmpty(v.value) : null;
}

function atomLinks(el: XElement): { link: string | null; enclosures: ParsedEnclosure[] } {
  let link: string | null = null;
  const enclosures: ParsedEnclosure[] = [];
  for (const l of kids(el, 'link', ATOM)) {
    const rel = (l.attrs.rel ?? 'alternate').trim().toLowerCase();
    const href = nonEmpty(l.attrs.href) ?? nonEmpty(textOf(l));
    if (!href) continue;
    if (rel === 'alternate' && link === null) link = resolveUrl(href, l.base);
    else if (rel === 'enclosure' && nonEmpty(l.attrs.href)) {
      enclosures.push({
        url: resolveUrl(href, l.base),
        type: nonEmpty(l.attrs.type),
        length: nonEmpty(l.attrs.length),
      });
    }
  }
  return { link, enclosures };
}

function atomAuthor(entry: XElement): string | null {
  const a = kid(entry, 'author', ATOM);
  if (a) {
    if (!a.children.some((c) => typeof c !== 'string')) return nonEmpty(textOf(a));
    const name = nonEmpty(kid(a, 'name', ATOM) && textOf(kid(a, 'name', ATOM)!));
    const email = nonEmpty(kid(a, 'email', ATOM) && textOf(kid(a, 'email', ATOM)!));
    if (name && email) return `${name} (${email})`;
    if (name || email) return name ?? email;
  }
  const dc = kid(entry, 'creator', DC) ?? kid(entry, 'author', DC);
  return dc ? nonEmpty(textOf(dc)) : null;
}

function atomValue(el: XElement | null): ContentValue | null {
  return el ? atomContent(el, textOf(el)) : null;
}

function atomTitle(el: XElement): string | null {
  const t = atomValue(kid(el, 'title', ATOM));
  if (t) return nonEmpty(plainText(t));
  const dc = kid(el, 'title', DC);
  return dc ? nonEmpty(plainText(rssContent(dc, textOf(dc)))) : null;
}

function atomDates(entry: XElement): { published: Date | null; updated: Date | null } {
  return {
    published: lastDate([
      ...kids(entry, 'issued', ATOM),
      ...kids(entry, 'published', ATOM),
      ...kids(entry, 'issued', DCTERMS),
    ]),
    updated: lastDate([
      ...kids(entry, 'modified', ATOM),
      ...kids(entry, 'updated', ATOM),
      ...kids(entry, 'modified', DCTERMS),
      ...kids(entry, 'date', DC),
    ]),
  };
}

function rssDates(item: XElement): { published: Date | null; updated: Date | null } {
  return {
    published: lastDate([...kids(item, 'pubdate', CORE), ...kids(item, 'issued', DCTERMS)]),
    updated: lastDate([...kids(item, 'date', DC), ...kids(item, 'modified', DCTERMS)]),
  };
}

/** An entry's time for keeping the newest: published, else updated; NaN when undated. */
function entryTime(dates: { published: Date | null; updated: Date | null }): number {
  return (dates.published ?? dates.updated)?.getTime() ?? Number.NaN;
}

/** The newest MAX_ENTRIES entry elements, chosen by date before any of them is read in full. */
function newest(
  els: XElement[],
  datesOf: (el: XElement) => { published: Date | null; updated: Date | null },
) {
  return keepNewest(els, MAX_ENTRIES, (el) => entryTime(datesOf(el)));
}

function atomEntry(entry: XElement): ParsedEntry {
  const media = mediaExtras(entry);
  const { link, enclosures } = atomLinks(entry);
  const idEl = kid(entry, 'id', ATOM);
  const rawId = idEl ? nonEmpty(textOf(idEl)) : null;
  const summaryEl = kid(entry, 'summary', ATOM) ?? kid(entry, 'description', DC);
  const summary = summaryEl ? contentText(atomContent(summaryEl, textOf(summaryEl))) : null;
  const { published, updated } = atomDates(entry);
  return {
    title: atomTitle(entry) ?? (media.title ? nonEmpty(textOf(media.title)) : null),
    link,
    id: rawId && idEl ? resolveUrl(rawId, idEl.base) : rawId,
    summary: summary ?? (media.description ? nonEmpty(textOf(media.description)) : null),
    content: contentText(atomValue(kid(entry, 'content', ATOM))),
    author: atomAuthor(entry),
    published,
    updated,
    enclosures,
    thumbnails: media.thumbnails,
  };
}

function rssText(el: XElement | null): string | null {
  return el ? nonEmpty(plainText(rssContent(el, textOf(el)))) : null;
}

function rssEntry(item: XElement): ParsedEntry {
  const media = mediaExtras(item);
  let summary: string | null = null;
  let content: string | null = null;
  let second: string | null = null;
  for (const c of item.children) {
    if (typeof c === 'string') continue;
    if (c.ns === '' && (c.local === 'description' || c.local === 'summary')) {
      const v = contentText(rssContent(c, textOf(c)));
      if (summary === null) summary = v;
      else second ??= v;
    } else if (
      content === null &&
      ((c.ns === 'content' && c.local === 'encoded') ||
        (c.local === 'body' && (c.ns === 'xhtml' || c.ns === '')) ||
        (c.ns === '' && c.local === 'fullitem'))
    ) {
      content = c.ns === 'xhtml' ? nonEmpty(serializeChildren(c)) : contentText(rssContent(c, textOf(c)));
    }
  }
  summary ??=
    rssText(kid(item, 'description', DC)) ?? (media.description ? nonEmpty(textOf(media.description)) : null);
  content ??= second;

  const linkEl = kid(item, 'link', CORE);
  let link = linkEl ? nonEmpty(textOf(linkEl)) : null;
  if (link && linkEl) link = resolveUrl(link, linkEl.base);
  link ??= atomLinks(item).link;

  const guidEl = kid(item, 'guid', CORE);
  const guid = guidEl ? nonEmpty(textOf(guidEl)) : null;
  if (
    link === null &&
    guid &&
    guidEl &&
    (guidEl.attrs.ispermalink ?? 'true').trim().toLowerCase() !== 'false'
  ) {
    if (/^https?:\/\//i.test(guid)) link = guid;
  }
  const about = nonEmpty(item.attrs['rdf:about']);

  const enclosures: ParsedEnclosure[] = [];
  for (const e of kids(item, 'enclosure', CORE)) {
    const url = nonEmpty(e.attrs.url);
    if (url)
      enclosures.push({
        url: resolveUrl(url, e.base),
        type: nonEmpty(e.attrs.type),
        length: nonEmpty(e.attrs.length),
      });
  }
  enclosures.push(...atomLinks(item).enclosures);

  const authorEl = kid(item, 'author', CORE) ?? kid(item, 'creator', DC) ?? kid(item, 'author', DC);
  return {
    title:
      rssText(kid(item, 'title', CORE)) ??
      rssText(kid(item, 'title', DC)) ??
      (media.title ? nonEmpty(textOf(media.title)) : null),
    link,
    id: guid ?? about ?? rssText(kid(item, 'identifier', DC)),
    summary,
    content,
    author: authorEl ? nonEmpty(textOf(authorEl)) : null,
    ...rssDates(item),
    enclosures,
    thumbnails: media.thumbnails,
  };
}

function rssFeed(root: XElement, tree: XmlTree): ParsedFeed {
  const channel = root.local === 'channel' ? root : kid(root, 'channel', CORE);
  const items: XElement[] = [];
  if (channel) items.push(...kids(channel, 'item', CORE));
  if (channel !== root) items.push(...kids(root, 'item', CORE));
  const scope = channel ?? root;
  const linkEl = kid(scope, 'link', CORE);
  const rawLink = linkEl ? nonEmpty(textOf(linkEl)) : null;
  const ttlEl = kid(scope, 'ttl', CORE);
  const ttl = ttlEl ? Number.parseInt(textOf(ttlEl).trim(), 10) : Number.NaN;
  const kept = newest(items, rssDates);
  return {
    format: root.local === 'rdf' ? 'rdf' : 'rss',
    title: rssText(kid(scope, 'title', CORE)) ?? rssText(kid(scope, 'title', DC)),
    link: rawLink && linkEl ? resolveUrl(rawLink, linkEl.base) : atomLinks(scope).link,
    ttlMinutes: Number.isFinite(ttl) && ttl >= 0 ? ttl : null,
    entries: kept.map(rssEntry),
    bozo: tree.bozo,
    clippedFields: tree.clippedFields,
    droppedEntries: items.length - kept.length,
  };
}

function atomFeed(root: XElement, tree: XmlTree): ParsedFeed {
  const entries = kids(root, 'entry', ATOM);
  const kept = newest(entries, atomDates);
  return {
    format: 'atom',
    title: atomTitle(root),
    link: atomLinks(root).link,
    ttlMinutes: null,
    entries: kept.map(atomEntry),
    bozo: tree.bozo,
    clippedFields: tree.clippedFields,
    droppedEntries: entries.length - kept.length,
  };
}

/**
 * Parses an RSS, RDF or Atom document leniently.
 *
 * @param text - the decoded document
 * @param baseUrl - the document's URL (or Content-Location), for relative links
 * @throws NewsrelayError `not_a_feed` when no feed element is found; `entity_expansion` when
 *   internal entities would add too much text
 */
export function parseXmlFeed(text: string, baseUrl: string | null): ParsedFeed {
  const tree = parseXmlTree(text, baseUrl);
  const root = findRoot(tree.roots);
  if (!root) throw new NewsrelayError('not_a_feed', 'The document is not an RSS, RDF or Atom feed');
  return root.local === 'feed' ? atomFeed(root, tree) : rssFeed(root, tree);
}
