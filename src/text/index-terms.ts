/**
 * Search terms of a text (stored as an indexed array on each article) and of a query.
 *
 * A title's terms are, over its normalised form ({@link normaliseForMatch}):
 * - every overlapping bigram of each CJK run (李家超参观 → 李家 家超 超参 参观), as Lucene's
 *   CJKAnalyzer does; a run of one character is indexed as that character;
 * - every CJK character on its own (港);
 * - each latin / digit word, lower case (apec, iphone17, 2025).
 *
 * A query's terms are its bigrams and latin words only: a title matches when it holds every
 * term of the query. Every CJK character is indexed on its own as well, so a query with a
 * one-character run (港) is answered by terms like any other. Word segmentation (jieba) was
 * indexed once and dropped: no query and no overlap measure used its words, and its
 * dictionary cost about 54 MB in every process and parse thread that indexed.
 */
import { normaliseForMatch } from './normalise.ts';
import { holdsAlternative, regionalAlternatives } from './regional-vocabulary.ts';

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
/** Group 1: a CJK run; group 2: a run of other letters, digits and marks. */
const TOKEN = new RegExp(`([${CJK}]+)|((?:[^\\P{L}${CJK}]|[^\\P{N}${CJK}]|\\p{M})+)`, 'gu');
function visitRunGrams(run: string, visit: (term: string) => void): void {
  if (run.length === 1) {
    visit(run);
    return;
  }
  if (!hasSurrogates(run)) {
    for (let i = 0; i + 2 <= run.length; i++) visit(run.slice(i, i + 2));
    return;
  }
  // Surrogate pairs (CJK extension B and beyond) need code-point slicing.
  const chars = Array.from(run);
  if (chars.length === 1) visit(run);
  for (let i = 0; i + 1 < chars.length; i++) visit(chars[i]! + chars[i + 1]!);
}

function hasSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * Calls `visit` for each CJK bigram (a lone character for a one-character run) and each
 * latin / digit word of already normalised text, in order and with repetitions. Shared by
 * the index terms and the fingerprint.
 */
export function forEachGramOrWord(normalised: string, visit: (term: string) => void): void {
  for (const match of normalised.matchAll(TOKEN)) {
    if (match[1] !== undefined) visitRunGrams(match[1], visit);
    else if (match[2] !== undefined) visit(match[2]);
  }
}

function addGramsAndWords(normalised: string, out: Set<string>): void {
  forEachGramOrWord(normalised, (term) => out.add(term));
}

/**
 * Index terms of a text (a title, or a title and its lead): CJK bigrams, single CJK characters
 * and latin words of the normalised text, deduplicated, in order of first appearance. Simplified and Traditional spellings of a text give the same terms.
 */
export function indexTerms(text: string): string[] {
  const normalised = normaliseForMatch(text);
  const terms = new Set<string>();
  addGramsAndWords(normalised, terms);
  if (terms.size === 0) return [];
  // Single characters too, so that a one-character query (港) is a term look-up like any
  // other; the index lives in memory, where long posting lists of common characters are cheap.
  for (const match of normalised.matchAll(TOKEN)) {
    if (match[1] !== undefined) for (const ch of match[1]) terms.add(ch);
  }
  return [...terms];
}

/**
 * Terms a title must all hold to match a query: the bigrams of each CJK run (a one-character
 * run yields that character) and the latin words of the normalised query. Empty when the
 * query has no letters, digits or CJK characters.
 */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  addGramsAndWords(normaliseForMatch(query), terms);
  return [...terms];
}

/**
 * One way of writing a query for the index: terms an article must all hold and, when regional
 * variants were put in, a check of the article's headline key (the variants must be words of
 * the headline there, not accidents of bigrams: `regional-vocabulary.ts`).
 */
export interface TermQuery {
  terms: readonly string[];
  /**
   * Whether an article with these terms matches, given its headline key (undefined for entries
   * journaled before keys existed); absent when every article with the terms matches.
   */
  accept?: (headlineKey: string | undefined) => boolean;
}

/**
 * The ways of writing a query the index should answer: the query as typed ({@link queryTerms})
 * first, then its regional variants (特朗普 → 川普, 信息 → 资讯); an article matches when it
 * matches any of them. Empty when the query has no terms.
 */
export function queryAlternatives(query: string): TermQuery[] {
  const normalised = normaliseForMatch(query);
  const own = queryTerms(normalised);
  if (own.length === 0) return [];
  const [typed, ...variants] = regionalAlternatives(normalised);
  // The words as typed are checked where they are regional vocabulary (川普 is not in 四川普查);
  // an entry without a key keeps the plain term match it always had.
  const out: TermQuery[] = [
    typed && typed.substitutions.length > 0
      ? { terms: own, accept: (key) => key === undefined || holdsAlternative(key, typed) }
      : { terms: own },
  ];
  for (const alternative of variants) {
    const terms = queryTerms(alternative.text);
    if (terms.length > 0)
      out.push({ terms, accept: (key) => key !== undefined && holdsAlternative(key, alternative) });
  }
  return out;
}

/**
 * Script-, width- and case-insensitive substring match for keyword filters (no regular
 * expressions from users). `normalisedText` must be {@link normaliseForMatch} output, computed
 * once per article; the keyword is normalised here. An empty keyword matches nothing.
 */
export function matchesKeyword(normalisedText: string, keyword: string): boolean {
  const needle = normaliseForMatch(keyword);
  return needle !== '' && normalisedText.includes(needle);
}
