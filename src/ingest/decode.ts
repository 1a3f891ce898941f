/**
 * Bytes → text for fetched feeds and pages. The charset is chosen in the order browsers and
 * feed readers use: BOM / UTF-16/32 byte patterns, the HTTP `Content-Type` charset, the XML
 * declaration, an HTML `<meta>` charset, UTF-8 when the bytes are valid UTF-8, and statistical
 * detection last. Decoding never throws.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';
import type { DecodedDocument } from './parsed-feed.ts';

/** How a label decodes and what we report for it. */
interface Codec {
  /** iconv-lite codec name, or `utf-8` for the native decoder. */
  decodeAs: string;
  /** Lower-case name reported in {@link DecodedDocument.encoding}. */
  report: string;
}

const WINDOWS_1252: Codec = { decodeAs: 'windows-1252', report: 'windows-1252' };
const GB18030: Codec = { decodeAs: 'gb18030', report: 'gb18030' };
const BIG5: Codec = { decodeAs: 'big5hkscs', report: 'big5' };
const UTF8: Codec = { decodeAs: 'utf-8', report: 'utf-8' };

/**
 * Labels whose WHATWG meaning differs from their name, or that need a superset codec. A Map,
 * not an object literal: a label is text from the network, and `constructor` or `__proto__`
 * must not find Object.prototype's members.
 */
const ALIASES = new Map<string, Codec>(
  Object.entries({
    'utf-8': UTF8,
    utf8: UTF8,
    'unicode-1-1-utf-8': UTF8,
    'x-unicode20utf8': UTF8,
    // WHATWG: every Latin-1 and ASCII label decodes as windows-1252.
    'us-ascii': WINDOWS_1252,
    ascii: WINDOWS_1252,
    'ansi_x3.4-1968': WINDOWS_1252,
    'iso-8859-1': WINDOWS_1252,
    iso8859_1: WINDOWS_1252,
    'iso8859-1': WINDOWS_1252,
    iso_8859_1: WINDOWS_1252,
    'iso_8859-1': WINDOWS_1252,
    'iso-ir-100': WINDOWS_1252,
    latin1: WINDOWS_1252,
    'latin-1': WINDOWS_1252,
    l1: WINDOWS_1252,
    cp819: WINDOWS_1252,
    ibm819: WINDOWS_1252,
    csisolatin1: WINDOWS_1252,
    cp1252: WINDOWS_1252,
    'windows-1252': WINDOWS_1252,
    'x-cp1252': WINDOWS_1252,
    // GB2312 and GBK are subsets of GB18030; decoding with the superset loses nothing.
    gb2312: GB18030,
    gb_2312: GB18030,
    'gb_2312-80': GB18030,
    csgb2312: GB18030,
    'iso-ir-58': GB18030,
    chinese: GB18030,
    gbk: GB18030,
    'x-gbk': GB18030,
    cp936: GB18030,
    'windows-936': GB18030,
    'euc-cn': GB18030,
    euccn: GB18030,
    gb18030: GB18030,
    // Hong Kong sites label Big5-HKSCS text as plain big5.
    big5: BIG5,
    'big5-hkscs': BIG5,
    big5hkscs: BIG5,
    'cn-big5': BIG5,
    'x-x-big5': BIG5,
    csbig5: BIG5,
    cp950: BIG5,
    'shift-jis': { decodeAs: 'shift_jis', report: 'shift_jis' },
    sjis: { decodeAs: 'shift_jis', report: 'shift_jis' },
    'x-sjis': { decodeAs: 'shift_jis', report: 'shift_jis' },
    'ks_c_5601-1987': { decodeAs: 'euc-kr', report: 'euc-kr' },
    'x-euc-jp': { decodeAs: 'euc-jp', report: 'euc-jp' },
    'tis-620': { decodeAs: 'windows-874', report: 'windows-874' },
    'iso-8859-11': { decodeAs: 'windows-874', report: 'windows-874' },
  } satisfies Record<string, Codec>),
);

/**
 * iconv-lite codecs that are not a document charset a server may declare: a declared UTF-16/32
 * without the matching byte pattern is a lie (WHATWG: use UTF-8 instead), and `base64`, `hex`,
 * `utf-7` or `cesu-8` would turn a feed into garbage.
 */
const NOT_A_DOCUMENT_CHARSET = /^(?:utf-?(?:16|32|7)|ucs-?[24]|unicode|base64|hex|cesu-?8)/;

/** Resolves a charset label to a codec, or null when it is unknown or not usable here. */
function codecFor(label: string | null | undefined): Codec | null {
  if (!label) return null;
  const key = label.trim().toLowerCase();
  if (key === '') return null;
  const alias = ALIASES.get(key);
  if (alias) return alias;
  if (NOT_A_DOCUMENT_CHARSET.test(key) || !iconv.encodingExists(key)) return null;
  return { decodeAs: key, report: key };
}

/** Encoding given by a BOM or by the byte pattern of `<?` in UTF-16/32. */
function sniffUnicode(b: Uint8Array): { codec: string; bom: number } | null {
  const [b0, b1, b2, b3] = [b[0], b[1], b[2], b[3]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { codec: 'utf-8', bom: 3 };
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { codec: 'utf-32be', bom: 4 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { codec: 'utf-32le', bom: 4 };
  if (b0 === 0xfe && b1 === 0xff) return { codec: 'utf-16be', bom: 2 };
  if (b0 === 0xff && b1 === 0xfe) return { codec: 'utf-16le', bom: 2 };
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0x00 && b3 !== 0x00) return { codec: 'utf-32be', bom: 0 };
  if (b0 !== 0x00 && b1 === 0x00 && b2 === 0x00 && b3 === 0x00) return { codec: 'utf-32le', bom: 0 };
  if (b0 === 0x00 && b1 !== 0x00 && b2 === 0x00 && b3 !== 0x00) return { codec: 'utf-16be', bom: 0 };
  if (b0 !== 0x00 && b1 === 0x00 && b2 !== 0x00 && b3 === 0x00) return { codec: 'utf-16le', bom: 0 };
  return null;
}

/** The `charset` parameter of a Content-Type header (quotes removed), or null. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const params = contentType.split(';');
  for (let i = 1; i < params.length; i++) {
    const p = params[i]!;
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const v = p
      .slice(eq + 1)
      .trim()
      .replace(/^["']|["']$/g, '')
      .trim();
    return v === '' ? null : v;
  }
  return null;
}

/** The ASCII-compatible head of the document, for reading declarations. */
function asciiHead(bytes: Uint8Array, max: number): string {
  const n = Math.min(bytes.length, max);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i]! < 0x80 ? bytes[i]! : 0x3f);
  return s;
}

const XML_DECL_ENCODING = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/;
const META_CHARSET = /<meta\b[^>]*?\bcharset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})/i;

/** Charset named by an HTML `<meta charset>` or `<meta http-equiv="content-type">`. */
function metaCharset(head: string): string | null {
  const lower = head.toLowerCase();
  if (!lower.includes('<meta')) return null;
  const m = META_CHARSET.exec(head);
  return m?.[1] ?? null;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** Decodes as UTF-8 if the bytes are valid UTF-8; null otherwise. */
function tryUtf8(bytes: Uint8Array): string | null {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** A lenient UTF-8 read wins when valid multi-byte sequences outnumber invalid ones this many times. */
const UTF8_MAJORITY = 4;

/**
 * Valid multi-byte sequences and invalid sequences (each one U+FFFD in a lenient decode, as
 * WHATWG's UTF-8 decoder counts them) of bytes that are not all valid UTF-8. A UTF-8 document
 * with a damaged tail or a few bad bytes has many of the first and few of the second; GBK, Big5
 * and single-byte text has the second far more often than the first.
 */
function utf8Census(bytes: Uint8Array): { multibyte: number; invalid: number } {
  let multibyte = 0;
  let invalid = 0;
  let need = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (need === 0) {
      if (b < 0x80) continue;
      if (b >= 0xc2 && b <= 0xdf) need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        if (b === 0xe0) lower = 0xa0;
        else if (b === 0xed) upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        if (b === 0xf0) lower = 0x90;
        else if (b === 0xf4) upper = 0x8f;
      } else invalid++;
      continue;
    }
    if (b < lower || b > upper) {
      // A sequence cut short is one error, and this byte is read again as a new start.
      invalid++;
      need = 0;
      lower = 0x80;
      upper = 0xbf;
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    if (--need === 0) multibyte++;
  }
  if (need > 0) invalid++;
  return { multibyte, invalid };
}

function decodeWith(bytes: Uint8Array, codec: string): string {
  if (codec === 'utf-8') return lenientUtf8.decode(bytes);
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), codec);
}

const CHINESE = new Set(['gb18030', 'big5']);
/** Confidence points by which a Chinese candidate may trail the top guess and still win. */
const CHINESE_MARGIN = 10;

/**
 * Statistical detection. newsrelay reads Chinese sources, so when chardet's best guess is
 * another CJK or single-byte charset and GB18030 or Big5 is (nearly) as likely, the Chinese one
 * wins: short GBK titles often score the same as EUC-KR.
 */
function detectedCodec(bytes: Uint8Array): Codec | null {
  const candidates = chardet.analyse(bytes);
  const top = candidates[0];
  if (!top) return null;
  let pick = top;
  if (!CHINESE.has(top.name.toLowerCase())) {
    const zh = candidates.find((c) => CHINESE.has(c.name.toLowerCase()));
    if (zh && zh.confidence >= top.confidence - CHINESE_MARGIN) pick = zh;
  }
  const lower = pick.name.toLowerCase();
  if (lower === 'utf-8') return null;
  return codecFor(lower);
}

/**
 * Decodes a fetched document to text.
 *
 * @param bytes - the response body
 * @param opts.contentType - the HTTP `Content-Type` header, if any
 * @returns the text (without BOM) and the lower-case name of the charset that decoded it;
 *   GB2312/GBK are reported as `gb18030`, Big5 (decoded as Big5-HKSCS) as `big5`, and the
 *   ASCII/Latin-1 labels as `windows-1252` (their WHATWG meaning)
 */
export function decodeDocument(
  bytes: Uint8Array,
  opts: { contentType?: string | null } = {},
): DecodedDocument {
  const unicode = sniffUnicode(bytes);
  if (unicode) {
    const body = bytes.subarray(unicode.bom);
    return { text: decodeWith(body, unicode.codec), encoding: unicode.codec };
  }

  const head = asciiHead(bytes, 4096);
  const declared = [
    codecFor(charsetFromContentType(opts.contentType)),
    codecFor(XML_DECL_ENCODING.exec(head)?.[1]),
    codecFor(metaCharset(head)),
  ].filter((c): c is Codec => c !== null);

  const first = declared[0];
  if (first && first.decodeAs !== 'utf-8') {
    return { text: decodeWith(bytes, first.decodeAs), encoding: first.report };
  }

  // Declared UTF-8 or nothing declared: UTF-8 if the bytes are UTF-8, or UTF-8 damaged in a few
  // places (a truncated tail, a stray byte), which a single-byte fallback would garble whole.
  const utf8 = tryUtf8(bytes);
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8' };
  const census = utf8Census(bytes);
  if (census.multibyte >= UTF8_MAJORITY * census.invalid) {
    return { text: lenientUtf8.decode(bytes), encoding: 'utf-8', replaced: census.invalid };
  }

  // A server claiming UTF-8 for a GBK page whose <meta> says gbk: the document knows better.
  const other = declared.find((c) => c.decodeAs !== 'utf-8');
  if (other) return { text: decodeWith(bytes, other.decodeAs), encoding: other.report };

  const detected = detectedCodec(bytes);
  if (detected) return { text: decodeWith(bytes, detected.decodeAs), encoding: detected.report };
  return { text: lenientUtf8.decode(bytes), encoding: 'utf-8', replaced: census.invalid };
}
