/**
 * Headlines of a plain HTML news page that has no feed: the links of the page's repeating
 * headline list (the largest group of headline-like anchors under one repeating container),
 * with the dates written next to them. Navigation, header and footer links are left out.
 *
 * Work is linear in the page: each link looks at a bounded number of ancestors (five to find
 * its item, MAX_ANCESTORS for its list's signature), sibling counts, signatures and headline
 * counts are computed once per element, and a date is looked for in a bounded part of each item. A page of deeply nested `<div>`s with tens of thousands of links therefore
 * costs what its size costs.
 */
import { parseDocument } from 'htmlparser2';
import { MAX_ANCESTORS, MAX_CANDIDATE_LINKS } from './document-limits.ts';
import { parseFeedDate } from './feed-dates.ts';
import { resolveUrl } from './feed-text.ts';
import type { ParsedEntry, ParsedFeed } from './parsed-feed.ts';

/** The part of domhandler's node shape used here. */
interface DomNode {
  type: string;
  parent: DomNode | null;
  children?: DomNode[];
  name?: string;
  attribs?: Record<string, string>;
  data?: string;
}

interface Candidate {
  anchor: DomNode;
  /** The repeating item that holds the anchor (e.g. its `<li>`). */
  item: DomNode;
  /** The list that holds the items. */
  list: DomNode;
  title: string;
  href: string;
}

const SKIP_TAGS = new Set([
  'nav',
  'header',
  'footer',
  'aside',
  'script',
  'style',
  'noscript',
  'form',
  'select',
]);
const CHROME =
  /(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|header|top-?bar|breadcrumbs?|crumbs?|copyright|links?|friend-?links?|pagination|pager)(?:$|[\s_-])/i;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/g;
const MIN_HEADLINES = 3;
const MORE_LINK = /^(?:更多|查看更多|查看全部|閱讀全文|阅读全文|more\b|read more)/i;

/** Levels climbed from a link to find the repeating item that holds it. */
const ITEM_CLIMB = 5;
/** Nodes of an item searched for a date, and characters of its text read. */
const DATE_NODES = 200;
const DATE_TEXT_CHARS = 500;
/** Characters of link text read: a headline is at most 200. */
const LINK_TEXT_CHARS = 1000;

function textContent(node: DomNode, maxChars = Number.POSITIVE_INFINITY): string {
  let s = '';
  const stack: DomNode[] = [node];
  while (stack.length > 0 && s.length < maxChars) {
    const n = stack.pop()!;
    if (n.type === 'text') s += n.data ?? '';
    else if (n.type !== 'script' && n.type !== 'style') {
      const kids = n.children ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  return s;
}

function isElement(n: DomNode): boolean {
  return n.type === 'tag' || n.type === 'script' || n.type === 'style';
}

/** Site chrome: navigation, header, footer, menus, by tag, ARIA role, class or id. */
function isChrome(el: DomNode): boolean {
  if (SKIP_TAGS.has(el.name ?? '')) return true;
  const a = el.attribs ?? {};
  const role = a.role;
  if (role === 'navigation' || role === 'banner' || role === 'contentinfo' || role === 'menu') return true;
  return CHROME.test(a.class ?? '') || CHROME.test(a.id ?? '');
}

/** Whether a link text reads like a headline rather than a menu label. */
function isHeadlineText(t: string): boolean {
  const cjk = t.match(CJK)?.length ?? 0;
  if (cjk >= 6) return t.length <= 120;
  return t.length >= 20 && t.length <= 200 && t.split(' ').length >= 4;
}

const BAD_HREF = /^(?:javascript:|mailto:|tel:|#)/i;

/** Element children per tag name, counted once per parent (a list may hold thousands of links). */
class SiblingCounts {
  private readonly counts = new Map<DomNode, Map<string | undefined, number>>();

  of(parent: DomNode, name: string | undefined): number {
    let byName = this.counts.get(parent);
    if (byName === undefined) {
      byName = new Map();
      for (const c of parent.children ?? [])
        if (isElement(c)) byName.set(c.name, (byName.get(c.name) ?? 0) + 1);
      this.counts.set(parent, byName);
    }
    return byName.get(name) ?? 0;
  }
}

/** Climbs from the anchor to the nearest ancestor that repeats among its siblings. */
function repeatingItem(anchor: DomNode, siblings: SiblingCounts): { item: DomNode; list: DomNode } | null {
  let item = anchor;
  for (let depth = 0; depth < ITEM_CLIMB && item.parent; depth++) {
    const parent = item.parent;
    if (siblings.of(parent, item.name) >= 2) return { item, list: parent };
    item = parent;
  }
  return anchor.parent ? { item: anchor, list: anchor.parent } : null;
}

/**
 * Tag and class path of a list (its nearest {@link MAX_ANCESTORS} levels): lists with the same
 * path are one logical list (columns, sections).
 */
function signature(node: DomNode): string {
  const parts: string[] = [];
  let n: DomNode | null = node;
  for (let depth = 0; n && n.type !== 'root' && depth < MAX_ANCESTORS; n = n.parent, depth++) {
    parts.push(`${n.name}.${(n.attribs?.class ?? '').trim()}`);
  }
  return parts.join('<');
}

const FULL_DATE =
  /(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?/;
const MONTH_DAY = /(?:^|[^\d])(\d{1,2})[-/月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2}))?(?![\d])/;

function pad(n: string | number): string {
  return String(n).padStart(2, '0');
}

/** A date written in the item, outside the headline text itself. */
function itemDate(item: DomNode, anchor: DomNode, offsetMinutes: number, now: Date): Date | null {
  const stack: DomNode[] = [item];
  const texts: string[] = [];
  let chars = 0;
  // A date sits next to its headline: a bounded look keeps a huge "item" from costing per link.
  for (let visited = 0; stack.length > 0 && visited < DATE_NODES && chars < DATE_TEXT_CHARS; visited++) {
    const n = stack.pop()!;
    if (n === anchor) continue;
    if (n.name === 'time' && n.attribs?.datetime) {
      const d = parseFeedDate(n.attribs.datetime.slice(0, 100), offsetMinutes);
      if (d) return d;
    }
    if (n.type === 'text') {
      const t = (n.data ?? '').slice(0, DATE_TEXT_CHARS - chars);
      texts.push(t);
      chars += t.length;
    }
    const kids = n.children ?? [];
    for (let i = Math.min(kids.length, DATE_NODES) - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  const text = texts.join(' ');
  const full = FULL_DATE.exec(text);
  if (full) {
    const time = full[4] ? ` ${pad(full[4])}:${full[5]}:${full[6] ?? '00'}` : '';
    return parseFeedDate(`${full[1]}-${pad(full[2]!)}-${pad(full[3]!)}${time}`, offsetMinutes);
  }
  const md = MONTH_DAY.exec(text);
  if (!md) return null;
  const time = md[3] ? ` ${pad(md[3])}:${md[4]}:00` : '';
  // No year: the most recent such date that is not in the future.
  let year = now.getUTCFullYear();
  let d = parseFeedDate(`${year}-${pad(md[1]!)}-${pad(md[2]!)}${time}`, offsetMinutes);
  if (d && d.getTime() > now.getTime() + 86_400_000) {
    year--;
    d = parseFeedDate(`${year}-${pad(md[1]!)}-${pad(md[2]!)}${time}`, offsetMinutes);
  }
  return d;
}

function collect(root: DomNode, base: string): Candidate[] {
  const out: Candidate[] = [];
  const siblings = new SiblingCounts();
  const stack: DomNode[] = [...(root.children ?? [])].reverse();
  while (stack.length > 0 && out.length < MAX_CANDIDATE_LINKS) {
    const n = stack.pop()!;
    if (!isElement(n) || isChrome(n)) continue;
    if (n.name === 'a') {
      const href = (n.attribs?.href ?? '').trim();
      if (href === '' || BAD_HREF.test(href)) continue;
      const title =
        textContent(n, LINK_TEXT_CHARS).replace(/\s+/g, ' ').trim() ||
        (n.attribs?.title ?? '').slice(0, LINK_TEXT_CHARS).trim();
      if (!isHeadlineText(title) || MORE_LINK.test(title)) continue;
      const rep = repeatingItem(n, siblings);
      if (rep) out.push({ anchor: n, item: rep.item, list: rep.list, title, href: resolveUrl(href, base) });
      continue;
    }
    const kids = n.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return out;
}

/**
 * How many candidate anchors each element contains (a lead story's item holds only its own),
 * summed bottom-up in one pass over the page instead of walking every anchor's ancestors.
 */
function headlinesUnder(root: DomNode, candidates: readonly Candidate[]): Map<DomNode, number> {
  const anchors = new Set(candidates.map((c) => c.anchor));
  const counts = new Map<DomNode, number>();
  const stack: Array<{ node: DomNode; visited: boolean }> = [{ node: root, visited: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const kids = top.node.children ?? [];
    if (!top.visited) {
      stack.push({ node: top.node, visited: true });
      for (const k of kids) stack.push({ node: k, visited: false });
      continue;
    }
    let sum = anchors.has(top.node) ? 1 : 0;
    for (const k of kids) sum += counts.get(k) ?? 0;
    if (sum > 0) counts.set(top.node, sum);
  }
  return counts;
}

function baseOf(root: DomNode, pageUrl: string): string {
  const stack: DomNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.name === 'base' && n.attribs?.href) return resolveUrl(n.attribs.href.trim(), pageUrl);
    if (n.name === 'body') continue;
    for (const c of n.children ?? []) stack.push(c);
  }
  return pageUrl;
}

function pageTitle(root: DomNode): string | null {
  const stack: DomNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.name === 'title') return textContent(n).replace(/\s+/g, ' ').trim() || null;
    for (const c of n.children ?? []) stack.push(c);
  }
  return null;
}

/**
 * Extracts the headline list of an HTML news page.
 *
 * @param html - the decoded page
 * @param baseUrl - the page's URL (links are made absolute against it or its `<base href>`)
 * @param opts.utcOffsetMinutes - offset for dates written without a zone (default +08:00,
 *   the zone of mainland China, Hong Kong, Macau and Taiwan)
 * @param opts.now - "now" for dates written without a year (default: the current time)
 * @returns a feed of format `html`, or null when the page has fewer than 3 headline links
 */
export function extractHeadlines(
  html: string,
  baseUrl: string,
  opts: { utcOffsetMinutes?: number; now?: Date } = {},
): ParsedFeed | null {
  const root = parseDocument(html, { decodeEntities: true }) as unknown as DomNode;
  const base = baseOf(root, baseUrl);
  const candidates = collect(root, base);
  if (candidates.length < MIN_HEADLINES) return null;

  const groups = new Map<string, Candidate[]>();
  const signatures = new Map<DomNode, string>();
  for (const c of candidates) {
    let key = signatures.get(c.list);
    if (key === undefined) {
      key = signature(c.list);
      signatures.set(c.list, key);
    }
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  let best: Candidate[] = [];
  for (const g of groups.values()) if (g.length > best.length) best = g;
  if (best.length < MIN_HEADLINES) return null;

  const offset = opts.utcOffsetMinutes ?? 480;
  const now = opts.now ?? new Date();
  const inBest = new Set(best);
  const headlineCount = headlinesUnder(root, candidates);
  const seen = new Set<string>();
  const entries: ParsedEntry[] = [];
  for (const c of candidates) {
    if (seen.has(c.href)) continue;
    const published = itemDate(c.item, c.anchor, offset, now);
    // Outside the main list, a dated headline (a lead story, a second column) is news too.
    if (!inBest.has(c) && (published === null || headlineCount.get(c.item) !== 1)) continue;
    seen.add(c.href);
    entries.push({
      title: c.title,
      link: c.href,
      id: c.href,
      summary: null,
      content: null,
      author: null,
      published,
      updated: null,
      enclosures: [],
      thumbnails: [],
    });
  }
  return {
    format: 'html',
    title: pageTitle(root),
    link: baseUrl,
    ttlMinutes: null,
    entries,
    bozo: false,
    clippedFields: 0,
    droppedEntries: 0,
  };
}
