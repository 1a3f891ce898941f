/**
 * A lenient XML reader for feeds: htmlparser2's tokenizer (which never throws) builds a small
 * element tree with namespaces resolved to short canonical names, `xml:base` resolved per
 * element, internal-DTD entities expanded and HTML named entities decoded. Ill-formedness
 * (unclosed or mismatched tags, undefined entities, bare `&`) is recorded as `bozo`.
 */
import { decodeHTMLAttribute } from 'entities';
import { Parser } from 'htmlparser2';
import { NewsrelayError } from '../errors.ts';
import { MAX_ENTITY_EXPANSION_CHARS, MAX_FIELD_CHARS } from './document-limits.ts';
import { resolveUrl } from './feed-text.ts';
import { assertNestingBounded } from './nesting-guard.ts';

/** An element of the tree. */
export interface XElement {
  /** The qualified name as written. */
  name: string;
  /** Lower-case local name. */
  local: string;
  /**
   * Canonical namespace: '' for RSS core and no namespace (and unknown default namespaces),
   * 'atom', 'dc', 'dcterms', 'content', 'media', 'rdf', 'xhtml'; an undeclared prefix stays as
   * written; any other declared namespace is '?' + its URI.
   */
  ns: string;
  /** Namespace URI as declared ('' when none). */
  nsUri: string;
  /** Attributes by lower-case qualified name, values decoded. */
  attrs: Record<string, string>;
  children: XNode[];
  /** Base URI in effect for this element (xml:base resolved against the document's base). */
  base: string | null;
}

export type XNode = XElement | string;

/** Result of {@link parseXmlTree}. */
export interface XmlTree {
  /** Top-level elements in document order (normally one). */
  roots: XElement[];
  bozo: boolean;
  /** Elements and attributes whose text was cut at {@link MAX_FIELD_CHARS}. */
  clippedFields: number;
}

const CANONICAL_NS: Record<string, string> = {
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://channel.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://backend.userland.com/rss': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://purl.org/net/rss1.1#': '',
  'http://www.w3.org/2005/atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://example.com/newformat#': 'atom',
  'http://example.com/necho': 'atom',
  'http://purl.org/echo/': 'atom',
  'uri/of/echo/namespace#': 'atom',
  'http://purl.org/pie/': 'atom',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.w3.org/1999/xhtml': 'xhtml',
};

const MAX_DEPTH = 256;
/** Attributes read per element; feeds use a handful, and each costs a decode. */
const MAX_ATTRIBUTES = 100;
const XML_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#[xX][0-9a-fA-F]+);)/;
const C1_CONTROLS = /[\u0080-\u009f]/;
/** windows-1252 meanings of 0x80–0x9F (0 where undefined: kept as is). */
const CP1252_C1 = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
  0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0, 0x017e, 0x0178,
];

/** Maps C1 control characters (never meant in feeds) to their windows-1252 characters. */
export function demoronize(s: string): string {
  if (!C1_CONTROLS.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const m = c >= 0x80 && c <= 0x9f ? CP1252_C1[c - 0x80]! : 0;
    out += m ? String.fromCharCode(m) : s[i];
  }
  return out;
}

interface Prolog {
  /** Text with the DOCTYPE removed and internal entities expanded. */
  text: string;
}

const ENTITY_DECL = /<!ENTITY\s+([A-Za-z_:][\w.:-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>/g;
const ENTITY_REF = /&([A-Za-z_:][\w.:-]*);/g;

/** Finds the end of a DOCTYPE declaration starting at `start`, honouring quotes and `[...]`. */
function doctypeEnd(text: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start + 2; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      // Quotes only delimit literals inside the internal subset or after an identifier.
      quote = ch;
    } else if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === '>' && depth === 0) return i + 1;
  }
  return text.length;
}

/**
 * Expands references to internal entities. Entity values are not expanded again (so nested
 * "billion laughs" definitions stay inert), and the text all references add together is
 * bounded: a flat repetition of one large entity is refused before it is built.
 */
function expandEntities(text: string, entities: Map<string, string>): string {
  let added = 0;
  return text.replace(ENTITY_REF, (all, name: string) => {
    const value = entities.get(name);
    if (value === undefined) return all;
    added += value.length;
    if (added > MAX_ENTITY_EXPANSION_CHARS) {
      throw new NewsrelayError(
        'entity_expansion',
        `The document's entities expand to more than ${MAX_ENTITY_EXPANSION_CHARS} characters`,
        { params: { limit: MAX_ENTITY_EXPANSION_CHARS } },
      );
    }
    return value;
  });
}

/**
 * Removes the DOCTYPE (htmlparser2 cannot skip an internal subset) and expands its entities.
 *
 * @throws NewsrelayError `entity_expansion` when the entities would add too much text
 */
function stripDoctype(text: string): Prolog {
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && text.charCodeAt(i) <= 0x20) i++;
    if (text.startsWith('<?', i)) {
      const e = text.indexOf('?>', i + 2);
      if (e < 0) return { text };
      i = e + 2;
    } else if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i + 4);
      if (e < 0) return { text };
      i = e + 3;
    } else if (text.startsWith('<!', i) && text.slice(i + 2, i + 9).toUpperCase() === 'DOCTYPE') {
      const end = doctypeEnd(text, i);
      const decl = text.slice(i, end);
      const entities = new Map<string, string>();
      for (const m of decl.matchAll(ENTITY_DECL)) entities.set(m[1]!, m[2] ?? m[3] ?? '');
      let rest = text.slice(end);
      if (entities.size > 0) rest = expandEntities(rest, entities);
      return { text: text.slice(0, i) + rest };
    } else {
      return { text };
    }
  }
}

interface Frame {
  el: XElement;
  /** Characters of text kept in this element so far. */
  chars: number;
  /** Prefix → URI in scope (shared with the parent unless this element declares any). */
  scope: Map<string, string>;
}

/**
 * Parses feed XML leniently into a tree.
 *
 * @param text - the decoded document
 * @param baseUrl - the document's base URI (for `xml:base` resolution)
 * @throws NewsrelayError `entity_expansion` when internal entities would add too much text;
 *   `too_deep` when the nesting would make parsing quadratic
 */
export function parseXmlTree(text: string, baseUrl: string | null): XmlTree {
  const prolog = stripDoctype(text);
  const roots: XElement[] = [];
  const stack: Frame[] = [];
  let bozo = false;
  let clippedFields = 0;
  let inCdata = false;
  let justOpened = false;
  // Elements nested deeper than MAX_DEPTH are dropped (their text is kept) so that nothing
  // downstream recurses without bound; `skipped` counts the open dropped ones.
  let skipped = 0;

  const rootScope = new Map<string, string>();

  const decodeText = (raw: string): string => {
    if (raw.indexOf('&') < 0) return demoronize(raw);
    if (XML_ENTITY.test(raw)) bozo = true;
    // HTML 5 moved &lang;/&rang; to U+27E8/U+27E9; feeds were written against HTML 4's U+2329/U+232A.
    const legacy = raw.includes('ang;') ? raw.replace(/&lang;/g, '\u2329').replace(/&rang;/g, '\u232a') : raw;
    return demoronize(decodeHTMLAttribute(legacy));
  };

  const parser = new Parser(
    {
      onopentag(name, rawAttrs) {
        justOpened = true;
        if (stack.length >= MAX_DEPTH) {
          skipped++;
          bozo = true;
          return;
        }
        const attrs: Record<string, string> = {};
        let nsDecls: Map<string, string> | null = null;
        let attributes = 0;
        for (const key in rawAttrs) {
          if (++attributes > MAX_ATTRIBUTES) {
            clippedFields++;
            break;
          }
          const lower = key.toLowerCase();
          let raw = rawAttrs[key]!;
          if (raw.length > MAX_FIELD_CHARS) {
            raw = raw.slice(0, MAX_FIELD_CHARS);
            clippedFields++;
          }
          const value = decodeText(raw);
          attrs[lower] = value;
          if (lower === 'xmlns' || lower.startsWith('xmlns:')) {
            nsDecls ??= new Map();
            nsDecls.set(lower === 'xmlns' ? '' : lower.slice(6), value.trim());
          }
        }
        const parentFrame = stack[stack.length - 1];
        const parent = parentFrame?.el;
        let scope = parentFrame ? parentFrame.scope : rootScope;
        if (nsDecls) {
          scope = new Map(scope);
          for (const [k, v] of nsDecls) scope.set(k, v);
        }
        const colon = name.indexOf(':');
        const prefix = colon < 0 ? '' : name.slice(0, colon).toLowerCase();
        const local = (colon < 0 ? name : name.slice(colon + 1)).toLowerCase();
        const uri = scope.get(prefix);
        let ns: string;
        if (uri === undefined && prefix !== '' && prefix !== 'xml') bozo = true;
        if (uri === undefined || uri === '') ns = prefix;
        else {
          const canon = CANONICAL_NS[uri.toLowerCase()];
          // An unknown default namespace is most often a misspelt or historic core namespace.
          ns = canon ?? (prefix === '' ? '' : `?${uri}`);
        }
        const xmlBase = attrs['xml:base'];
        const parentBase = parent ? parent.base : baseUrl;
        const base = xmlBase !== undefined ? resolveUrl(xmlBase.trim(), parentBase) : parentBase;
        const el: XElement = { name, local, ns, nsUri: uri ?? '', attrs, children: [], base };
        if (parent) parent.children.push(el);
        else roots.push(el);
        stack.push({ el, chars: 0, scope });
      },
      onclosetag(_name, isImplied) {
        if (isImplied && !justOpened) bozo = true;
        justOpened = false;
        if (skipped > 0) skipped--;
        else stack.pop();
      },
      ontext(data) {
        justOpened = false;
        const top = stack[stack.length - 1];
        if (!top) return;
        // A field is cut before any decoding: megabytes of one title must not reach the passes after.
        const room = MAX_FIELD_CHARS - top.chars;
        if (room <= 0) return;
        let raw = data;
        if (raw.length > room) {
          raw = raw.slice(0, room);
          clippedFields++;
        }
        top.chars += raw.length;
        top.el.children.push(inCdata ? raw : decodeText(raw));
      },
      oncdatastart() {
        justOpened = false;
        inCdata = true;
      },
      oncdataend() {
        inCdata = false;
      },
      oncomment() {
        justOpened = false;
      },
    },
    { xmlMode: true, decodeEntities: false, recognizeCDATA: true, recognizeSelfClosing: true },
  );
  assertNestingBounded(prolog.text, false);
  parser.end(prolog.text);
  // An unterminated end tag (`</rss` at EOF) is closed silently by the tokenizer.
  if (!prolog.text.trimEnd().endsWith('>')) bozo = true;
  return { roots, bozo, clippedFields };
}

/** The concatenated text of an element. */
export function textOf(el: XElement): string {
  const c = el.children;
  if (c.length === 1 && typeof c[0] === 'string') return c[0];
  let s = '';
  for (const child of c) s += typeof child === 'string' ? child : textOf(child);
  return s;
}
