/**
 * The one matching every filter uses (chat-wide and per-subscription include/exclude words, keyword
 * subscriptions, references to a subscription by name): script-, width- and case-insensitive like
 * {@link normaliseForMatch}, and blind to characters that do not show. A zero-width space inside
 * `台\u200B湾` in a headline must not let it slip past an exclude word `台湾`, and the same
 * character pasted into a filter word must not make that word match nothing.
 */
import { memoised } from './memo.ts';
import { normaliseForMatch } from './normalise.ts';
import { holdsAlternative, regionalAlternatives } from './regional-vocabulary.ts';

/**
 * Characters that render as nothing and only steer layout: zero-width space, non-joiner, joiner,
 * word joiner, byte-order mark; the bidi marks, embeddings, overrides and isolates (U+200E/F,
 * U+202A–E, U+2066–9, U+061C); soft hyphen, Mongolian vowel separator and the invisible operators.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** `text` without the characters that do not show (see {@link INVISIBLE}). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * Text as filters compare it: invisible characters removed, then normalised for matching (NFKC,
 * Traditional → Simplified, lower case, CJK quotes to spaces, whitespace collapsed). Compute it
 * once per article and pass it to {@link matchesFilterWord} / {@link passesFilters}.
 */
export function filterText(text: string): string {
  return filtered(text);
}

const filtered = memoised((text) => normaliseForMatch(stripInvisible(text)));

const articleTexts = new WeakMap<object, string>();

/**
 * {@link filterText} of an article's title and summary, kept with the article object: a digest
 * group filters the same cached articles for thousands of chats, and looking the joined text up
 * in the memo hashed a new string of a few hundred characters each time.
 */
export function articleFilterText(article: { readonly title: string; readonly summary: string }): string {
  let text = articleTexts.get(article);
  if (text === undefined) {
    text = filterText(`${article.title} ${article.summary}`);
    articleTexts.set(article, text);
  }
  return text;
}

/** Regional alternatives of recent filter words: a digest checks the same few words on every article. */
const alternativesOf = memoised(regionalAlternatives, 2000);

/**
 * True when `filtered` ({@link filterText} output) contains `word`, itself brought through
 * {@link filterText} (stored words may predate that), or one of its regional variants
 * (`regional-vocabulary.ts`: 特朗普 matches 川普, 出租车 matches 的士 and 計程車, each only
 * where the text holds the variant as a word). A word that is empty once invisible characters
 * are gone matches nothing. No regular expressions from users.
 */
export function matchesFilterWord(filtered: string, word: string): boolean {
  const needle = filterText(word);
  if (needle === '') return false;
  // The word as typed is the first alternative; a regional word in it must be a word of the
  // text too (川普 is not in 四川普查).
  return alternativesOf(needle).some((alt) => filtered.includes(alt.text) && holdsAlternative(filtered, alt));
}

/** Include and exclude words of a chat or a subscription. */
export interface FilterWords {
  /** The text must contain one of these, when there are any … */
  readonly include: readonly string[];
  /** … and none of these. */
  readonly exclude: readonly string[];
}

/**
 * True when `filtered` ({@link filterText} output) passes every list: each list's include words
 * (any of them, when it has some) and none of its exclude words. Lists stack: a subscription's
 * filters apply on top of its chat's.
 */
export function passesFilters(filtered: string, ...lists: readonly FilterWords[]): boolean {
  for (const { include, exclude } of lists) {
    if (include.length > 0 && !include.some((w) => matchesFilterWord(filtered, w))) return false;
    if (exclude.some((w) => matchesFilterWord(filtered, w))) return false;
  }
  return true;
}
