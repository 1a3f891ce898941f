/**
 * Text helpers of the feed parsers: URL resolution, Atom/RSS content constructs (text, escaped
 * HTML, inline XHTML, base64), HTML → plain text.
 */
import { decodeHTML } from 'entities';
import type { XElement } from './xml-tree.ts';

const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Resolves `ref` against `base`. An absolute reference is returned as written (ids and links
 * must not be normalised); an unresolvable one is returned unchanged.
 */
export function resolveUrl(ref: string, base: string | null | undefined): string {
  if (ref === '' && base) return base;
  if (HAS_SCHEME.test(ref) || !base) return ref;
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

/** A content construct's value and whether it is HTML. */
export interface ContentValue {
  value: string;
  html: boolean;
}

const XHTML_VOID = new Set([
  'br',
  'hr',
  'img',
  'input',
  'meta',
  'link',
  'area',
  'base',
  'col',
  'embed',
  'source',
  'wbr',
]);
const URL_ATTRS = new Set(['href', 'src', 'cite', 'poster', 'background', 'longdesc', 'action']);

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** Serialises an element's children as HTML markup (namespace declarations dropped, URLs resolved). */
export function serializeChildren(el: XElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? escapeText(c) : serializeElement(c);
  return out;
}

function serializeElement(el: XElement): string {
  const tag = el.ns === 'xhtml' || el.ns === '' ? el.local : el.name;
  let out = `<${tag}`;
  for (const key in el.attrs) {
    if (key === 'xmlns' || key.startsWith('xmlns:') || key === 'xml:base') continue;
    const v = el.attrs[key]!;
    out += ` ${key}="${escapeAttr(URL_ATTRS.has(key) ? resolveUrl(v.trim(), el.base) : v)}"`;
  }
  if (el.children.length === 0 && XHTML_VOID.has(el.local)) return `${out} />`;
  return `${out}>${serializeChildren(el)}</${tag}>`;
}

const URL_ATTR_IN_HTML = /(\s(?:href|src)\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;

/** Resolves relative `href`/`src` attributes of an HTML fragment against `base`. */
export function resolveHtmlUrls(html: string, base: string | null): string {
  if (!base || (html.indexOf('href') < 0 && html.indexOf('src') < 0 && html.indexOf('HREF') < 0)) return html;
  return html.replace(
    URL_ATTR_IN_HTML,
    (all, pre: string, dq: string | undefined, sq: string | undefined) => {
      const raw = dq ?? sq ?? '';
      const decoded = raw.indexOf('&') < 0 ? raw : decodeHTML(raw);
      if (HAS_SCHEME.test(decoded.trim()) || decoded.startsWith('#')) return all;
      const abs = resolveUrl(decoded.trim(), base);
      return `${pre}"${escapeAttr(abs)}"`;
    },
  );
}

function decodeBase64(s: string): string {
  return Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('utf8');
}

const LOOKS_LIKE_HTML =
  /<\/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?\/?>|&(?:[A-Za-z]{2,8}|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/;

/** feedparser's heuristic for RSS values without a type: markup tags or entity references. */
export function looksLikeHtml(s: string): boolean {
  return LOOKS_LIKE_HTML.test(s);
}

/** Strips the wrapping `<div>` that Atom 1.0 requires around `type="xhtml"` content. */
function unwrapXhtmlDiv(el: XElement): XElement {
  let div: XElement | null = null;
  for (const c of el.children) {
    if (typeof c === 'string') {
      if (c.trim() !== '') return el;
    } else if (div || c.local !== 'div') return el;
    else div = c;
  }
  return div ?? el;
}

/**
 * Reads an Atom (0.3 or 1.0) text or content construct.
 *
 * @param el - the element (`title`, `summary`, `content`, …)
 * @param text - the element's text content
 */
export function atomContent(el: XElement, text: string): ContentValue {
  const type = (el.attrs.type ?? '').trim().toLowerCase();
  const mode = (el.attrs.mode ?? '').trim().toLowerCase();
  const isXml =
    type === 'xhtml' || type === 'application/xhtml+xml' || type.endsWith('+xml') || type.endsWith('/xml');
  const isHtmlType = type === 'html' || type === 'text/html';
  const isText = type === '' || type === 'text' || type === 'text/plain' || type.startsWith('text/');

  if (mode === 'base64' || (!isXml && !isHtmlType && !isText && type.includes('/'))) {
    const decoded = decodeBase64(text);
    return { value: isHtmlType ? resolveHtmlUrls(decoded, el.base) : decoded, html: isHtmlType };
  }
  // TypePad wraps escaped HTML in an xhtml <div>: the HTML is then the div's text.
  const wrappedEscaped = isHtmlType && isTextOnlyDiv(unwrapXhtmlDiv(el));
  if (isXml || mode === 'xml' || (hasElementChild(el) && mode !== 'escaped' && !wrappedEscaped)) {
    const inner = type === 'xhtml' ? unwrapXhtmlDiv(el) : el;
    return { value: serializeChildren(inner).trim(), html: true };
  }
  if (isHtmlType || mode === 'escaped') return { value: resolveHtmlUrls(text.trim(), el.base), html: true };
  return { value: text.trim(), html: false };
}

/** Reads an RSS value that may hold escaped or naked HTML. */
export function rssContent(el: XElement, text: string): ContentValue {
  if (hasElementChild(el)) return { value: serializeChildren(el).trim(), html: true };
  const value = text.trim();
  if (looksLikeHtml(value)) return { value: resolveHtmlUrls(value, el.base), html: true };
  return { value, html: false };
}

function isTextOnlyDiv(el: XElement): boolean {
  return el.local === 'div' && !hasElementChild(el);
}

function hasElementChild(el: XElement): boolean {
  for (const c of el.children) if (typeof c !== 'string') return true;
  return false;
}

const TAG_OR_SPACE = /<[A-Za-z/!?][^<>]*>|[ \t\r\n]+/g;

/** HTML fragment → plain text: tags removed, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  const stripped = html.replace(TAG_OR_SPACE, (m) => (m.charCodeAt(0) === 0x3c ? tagSpace(m) : ' '));
  const decoded = stripped.indexOf('&') < 0 ? stripped : decodeHTML(stripped);
  return decoded.replace(/[ \t\r\n]+/g, ' ').trim();
}

const BLOCK_TAG = /^<\/?(?:p|div|br|li|h[1-6]|tr|td|blockquote|ul|ol)\b/i;

function tagSpace(tag: string): string {
  return BLOCK_TAG.test(tag) ? ' ' : '';
}

/** A content value as plain text (for titles). */
export function plainText(v: ContentValue): string {
  return v.html ? htmlToText(v.value) : v.value.replace(/[ \t\r\n]+/g, ' ').trim();
}
