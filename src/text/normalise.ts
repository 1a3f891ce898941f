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
 * Normalises text for matching: NFKC (full-width letters, digits and punctuation to ASCII,
 * compatibility ideographs to unified ones), Traditional → Simplified, lower case, CJK quotes
 * and brackets to spaces, whitespace collapsed to one space, trimmed.
 */
export function normaliseForMatch(text: string): string {
  return toSimplified(text.normalize('NFKC'))
    .toLowerCase()
    .replace(CJK_QUOTES, ' ')
    .replace(WHITESPACE, ' ')
    .trim();
}
