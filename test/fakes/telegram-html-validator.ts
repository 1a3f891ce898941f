/**
 * Telegram's `parse_mode: 'HTML'` parser, ported from tdlib's `parse_html` (td/telegram/MessageEntity.cpp),
 * which the Bot API server runs. It works on UTF-8 bytes like tdlib, so the byte offsets in error messages
 * match Telegram's, including for Chinese text.
 *
 * One deliberate difference, on by default (`strictEntities`): tdlib keeps a `&` that does not start
 * `&lt; &gt; &amp; &quot;` or a numeric reference as a literal `&` (so `&nbsp;` shows up as "&nbsp;" in the
 * chat). The fake rejects it instead, so that unescaped feed text is caught in tests.
 */

/** A formatting entity as the Bot API reports it (offsets and lengths in UTF-16 code units). */
export interface HtmlEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

/** Result of {@link parseTelegramHtml}: the plain text and its entities, or tdlib's error message. */
export type HtmlParseResult =
  | { ok: true; text: string; entities: HtmlEntity[] }
  | { ok: false; error: string };

const TAGS = new Set(
  'a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote'.split(' '),
);
const SIMPLE: Record<string, string> = {
  i: 'italic',
  em: 'italic',
  b: 'bold',
  strong: 'bold',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  u: 'underline',
  ins: 'underline',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
};

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10 || c === 0 || c === 11;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const ascii = (b: Uint8Array, from: number, to: number): string =>
  Buffer.from(b.subarray(from, to)).toString();

/** tdlib's `decode_html_entity`: the code point and the position after the entity, or code 0. */
function decodeEntity(b: Uint8Array, pos: number): { code: number; end: number } {
  const at = (k: number): number => b[k] ?? 0;
  let end = pos + 1;
  let code = 0;
  if (at(pos + 1) === 35 /* # */) {
    end++;
    if (at(pos + 2) === 120 /* x */) {
      end++;
      while (isHex(at(end))) code = code * 16 + Number.parseInt(String.fromCharCode(at(end++)), 16);
    } else {
      while (isDigit(at(end))) code = code * 10 + at(end++) - 48;
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return { code: 0, end: pos };
  } else {
    while (isAlpha(at(end))) end++;
    const name = ascii(b, pos + 1, end);
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
    const value = Object.hasOwn(named, name) ? named[name] : undefined;
    if (value === undefined) return { code: 0, end: pos };
    code = value;
  }
  return { code, end: at(end) === 59 /* ; */ ? end + 1 : end };
}

/**
 * Parses `html` the way Telegram does for `parse_mode: 'HTML'`.
 * @param strictEntities reject a `&` that is not a supported entity (default; see the module comment).
 * @returns the text with entities, or `{ ok: false, error }` where `error` is tdlib's message; the Bot API
 *   answers it as `Bad Request: can't parse entities: <error>`.
 */
export function parseTelegramHtml(html: string, strictEntities = true): HtmlParseResult {
  const b = Buffer.from(html, 'utf8');
  const at = (k: number): number => b[k] ?? 0;
  const out: number[] = [];
  const entities: HtmlEntity[] = [];
  const stack: Array<{ tag: string; arg: string; offset: number; outPos: number }> = [];
  let utf16 = 0;
  const fail = (error: string): HtmlParseResult => ({ ok: false, error });
  const pushCode = (code: number): void => {
    out.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
    utf16 += code > 0xffff ? 2 : 1;
  };
  const badAmp = (i: number): HtmlParseResult => {
    const token = /^&#?[0-9A-Za-z]+;/.exec(ascii(b, i, i + 34))?.[0];
    return token !== undefined
      ? fail(`Unsupported HTML entity "${token}" at byte offset ${i}`)
      : fail(`Character "&" must be escaped as "&amp;" at byte offset ${i}`);
  };

  for (let i = 0; i < b.length; i++) {
    const c = at(i);
    if (c === 38 /* & */) {
      const { code, end } = decodeEntity(b, i);
      if (code !== 0) {
        pushCode(code);
        i = end - 1;
        continue;
      }
      if (strictEntities) return badAmp(i);
    }
    if (c !== 60 /* < */) {
      if ((c & 0xc0) !== 0x80) utf16 += c >= 0xf0 ? 2 : 1;
      out.push(c);
      continue;
    }
    const begin = i++;
    if (at(i) !== 47 /* / */) {
      while (!isSpace(at(i)) && at(i) !== 62) i++;
      if (i >= b.length) return fail(`Unclosed start tag at byte offset ${begin}`);
      const tag = ascii(b, begin + 1, i).toLowerCase();
      if (!TAGS.has(tag)) return fail(`Unsupported start tag "${tag}" at byte offset ${begin}`);
      let arg = '';
      while (at(i) !== 62 /* > */) {
        while (i < b.length && isSpace(at(i))) i++;
        if (at(i) === 62) break;
        const nameBegin = i;
        while (!isSpace(at(i)) && ![61, 62, 47, 34, 39].includes(at(i))) i++;
        const attr = ascii(b, nameBegin, i);
        if (attr === '') return fail(`Empty attribute name in the tag "${tag}" at byte offset ${begin}`);
        while (i < b.length && isSpace(at(i))) i++;
        if (at(i) !== 61 /* = */) {
          if (i >= b.length) return fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);
          if (tag === 'blockquote' && attr === 'expandable') arg = '1';
          continue;
        }
        i++;
        while (i < b.length && isSpace(at(i))) i++;
        if (i >= b.length) return fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);
        let value: string;
        if (at(i) !== 39 && at(i) !== 34) {
          const tokenBegin = i;
          while (isAlpha(at(i)) || isDigit(at(i)) || at(i) === 46 || at(i) === 45) i++;
          value = ascii(b, tokenBegin, i).toLowerCase();
          if (!isSpace(at(i)) && at(i) !== 62) {
            return fail(`Unexpected end of name token at byte offset ${tokenBegin}`);
          }
        } else {
          const quote = at(i++);
          const bytes: number[] = [];
          while (i < b.length && at(i) !== quote) {
            if (at(i) === 38) {
              const { code, end } = decodeEntity(b, i);
              if (code !== 0) {
                bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
                i = end;
                continue;
              }
              if (strictEntities) return badAmp(i);
            }
            bytes.push(at(i++));
          }
          if (at(i) === quote) i++;
          value = Buffer.from(bytes).toString('utf8');
        }
        if (i >= b.length) return fail(`Unclosed start tag at byte offset ${begin}`);
        if (tag === 'a' && attr === 'href') arg = value;
        else if (tag === 'code' && attr === 'class' && value.startsWith('language-')) arg = value.slice(9);
        else if (tag === 'span' && attr === 'class' && value.startsWith('tg-')) arg = value.slice(3);
        else if (tag === 'tg-emoji' && attr === 'emoji-id') arg = value;
        else if (tag === 'blockquote' && attr === 'expandable') arg = '1';
      }
      if (tag === 'span' && arg !== 'spoiler') {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${begin}`);
      }
      stack.push({ tag, arg, offset: utf16, outPos: out.length });
    } else {
      const open = stack.at(-1);
      if (open === undefined) return fail(`Unexpected end tag at byte offset ${begin}`);
      while (!isSpace(at(i)) && at(i) !== 62) i++;
      const endTag = ascii(b, begin + 2, i).toLowerCase();
      while (i < b.length && isSpace(at(i))) i++;
      if (at(i) !== 62) return fail(`Unclosed end tag at byte offset ${begin}`);
      if (endTag !== '' && endTag !== open.tag) {
        return fail(
          `Unmatched end tag at byte offset ${begin}, expected "</${open.tag}>", found "</${endTag}>"`,
        );
      }
      const length = utf16 - open.offset;
      const offset = open.offset;
      const last = entities.at(-1);
      const sameSpan = last !== undefined && last.offset === offset && last.length === length;
      if (length > 0) {
        const simple = SIMPLE[open.tag];
        if (simple !== undefined) entities.push({ type: simple, offset, length });
        else if (open.tag === 'tg-emoji') {
          if (!/^-?\d+$/.test(open.arg) || BigInt(open.arg) === 0n) {
            return fail('Invalid custom emoji identifier specified');
          }
          entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: open.arg });
        } else if (open.tag === 'a') {
          const url = open.arg || Buffer.from(out.slice(open.outPos)).toString('utf8');
          entities.push({ type: 'text_link', offset, length, url });
        } else if (open.tag === 'pre') {
          if (sameSpan && last.type === 'code' && last.language) last.type = 'pre';
          else entities.push({ type: 'pre', offset, length });
        } else if (open.tag === 'code') {
          if (sameSpan && last.type === 'pre' && open.arg) last.language = open.arg;
          else entities.push({ type: 'code', offset, length, ...(open.arg ? { language: open.arg } : {}) });
        } else {
          entities.push({ type: open.arg ? 'expandable_blockquote' : 'blockquote', offset, length });
        }
      }
      stack.pop();
    }
  }
  const unclosed = stack.at(-1);
  if (unclosed !== undefined) return fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  for (const e of entities) if (e.type === 'code') delete e.language;
  entities.sort((x, y) => x.offset - y.offset || y.length - x.length);
  const text = Buffer.from(out).toString('utf8');
  if (text.includes('\ufffd') && !html.includes('\ufffd')) {
    return fail(
      'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
    );
  }
  return { ok: true, text, entities };
}
