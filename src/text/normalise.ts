/**
 * Normalisation of text for matching (search terms, keyword filters, fingerprints): the same
 * story must normalise the same way whether it was written in Simplified or Traditional,
 * with full-width or half-width characters, in any letter case.
 */
import { toSimplified } from './script-converter.ts';

/**
 * CJK quotation marks and brackets. NFKC leaves them alone; they only delimit (“上合”,
 * 《人民日报》), so they become spaces: `上合` then matches `“上合”` and a keyword written
 * with other quotes than the title still matches.
 */
const CJK_QUOTES = /[「」『』“”‘’《》〈〉【】〔〕〖〗〘〙〚〛｢｣]/g;
const WHITESPACE = /\s+/g;

/**
 * Characters that show nothing but split words for matching: controls other than whitespace,
 * and every default-ignorable code point (zero-width spaces and joiners, bidi controls, soft
 * hyphens, variation selectors, tags, Hangul fillers).
 */
const IGNORABLE = /(?![\t\n\v\f\r])[\p{Cc}\p{Default_Ignorable_Code_Point}]/gu;

/** Bidi embeddings, overrides and isolates, and the marks that steer them. */
const BIDI_CONTROLS = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069';
/** Zero-width and invisible characters that never carry meaning in a headline. */
const INVISIBLE =
  '\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u2060-\u2065\u206a-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb';
const JOINING_SCRIPTS =
  '\\p{sc=Arabic}\\p{sc=Syriac}\\p{sc=Nko}\\p{sc=Mongolian}\\p{sc=Devanagari}\\p{sc=Bengali}\\p{sc=Gurmukhi}\\p{sc=Gujarati}\\p{sc=Oriya}\\p{sc=Tamil}\\p{sc=Telugu}\\p{sc=Kannada}\\p{sc=Malayalam}\\p{sc=Sinhala}';
const EMOJI = '\\p{Extended_Pictographic}';
/**
 * What display text loses: C0/C1 controls (whitespace aside), bidi controls, invisible
 * characters, a zero-width joiner outside an emoji sequence, a zero-width non-joiner outside
 * the scripts that need one, and tag characters outside an emoji flag.
 */
const UNSAFE_FOR_DISPLAY = new RegExp(
  [
    '(?![\\t\\n\\v\\f\\r])\\p{Cc}',
    `[${BIDI_CONTROLS}${INVISIBLE}]`,
    `(?<!${EMOJI}[\\u{fe0f}\\u{1f3fb}-\\u{1f3ff}]?)\\u200d|\\u200d(?!${EMOJI})`,
    `(?<![${JOINING_SCRIPTS}]\\p{M}*)\\u200c|\\u200c(?![${JOINING_SCRIPTS}])`,
    '(?<!\\u{1f3f4}[\\u{e0020}-\\u{e007e}]*)[\\u{e0000}-\\u{e007f}]',
  ].join('|'),
  'gu',
);

/**
 * Removes what a headline must not carry into a chat: control characters, bidi overrides that
 * reorder what the reader sees, and zero-width characters that hide inside words (and so
 * defeat keyword filters). Emoji sequences and the joiners of scripts that need them are kept.
 */
export function stripUnsafeCharacters(text: string): string {
  return text.replace(UNSAFE_FOR_DISPLAY, '');
}

/**
 * Normalises text for matching: controls and default-ignorable characters removed, NFKC
 * (full-width letters, digits and punctuation to ASCII, compatibility ideographs to unified
 * ones), Traditional → Simplified, lower case, CJK quotes and brackets to spaces, whitespace
 * collapsed to one space, trimmed.
 */
export function normaliseForMatch(text: string): string {
  return toSimplified(text.replace(IGNORABLE, '').normalize('NFKC'))
    .toLowerCase()
    .replace(CJK_QUOTES, ' ')
    .replace(WHITESPACE, ' ')
    .trim();
}
