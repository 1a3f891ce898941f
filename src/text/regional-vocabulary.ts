/**
 * Regional vocabulary for search and filters: words that differ between mainland, Hong Kong and
 * Taiwan usage beyond the script (信息 / 資訊, 出租车 / 的士 / 計程車, 特朗普 / 川普). Script
 * conversion cannot bridge them, so a query or filter word is expanded into its regional
 * variants and those are OR-ed (docs/decisions/0013-regional-words-story.md);
 * nothing is added to the index.
 *
 * The vocabulary is OpenCC's regional phrase tables (TWPhrases, HKPhrases), brought to the
 * form {@link normaliseForMatch} gives, minus the pairs `regional-aliases.ts` leaves
 * out, plus its reviewed name and place groups. Words linked by any pair form one group.
 *
 * A regional word of a query (typed, or a variant put in) only counts where the text holds it
 * as a phrase of its own, read the way OpenCC reads text (longest phrase first, left to right):
 * `软体` in 软体动物 (a mollusc, protected by OpenCC's own identity entry) or `川普` in
 * 四川普通话 (split by the protected 四川) is not software or a president. A longer phrase
 * around the word is accepted when it is itself a regional form of something holding the
 * query's word (资讯科技 for 信息), and, for the word as typed, when it is only a guard against
 * variants (雪梨汁 for 雪梨, not for 悉尼).
 *
 * Built on first use (a few milliseconds, well under a megabyte), so only processes that search
 * or filter pay for it.
 */
import HK_PHRASES from 'opencc-js/dict/HKPhrases';
import TW_PHRASES from 'opencc-js/dict/TWPhrases';
import { normaliseForMatch } from './normalise.ts';
import {
  ALIAS_GROUPS,
  EXCLUDED_OPENCC_PAIRS,
  PROTECTED_PHRASES,
  VARIANT_GUARDS,
} from './regional-aliases.ts';

/** Most alternatives a query or filter word expands into (its own form included). */
export const MAX_ALTERNATIVES = 16;

interface Vocabulary {
  /** Every phrase the segmentation knows, grouped or not. */
  phrases: Set<string>;
  /** Longest phrase starting with a given code unit. */
  longest: Map<string, number>;
  /** Phrase → the other members of its group. */
  variants: Map<string, readonly string[]>;
  /** Phrases that stop variants put in, not the word as typed (`regional-aliases.ts`). */
  guards: ReadonlySet<string>;
}

let vocabulary: Vocabulary | undefined;

/** Union-find over phrases. */
class Groups {
  private readonly parent = new Map<string, string>();

  find(x: string): string {
    let root = this.parent.get(x) ?? x;
    if (root === x) return x;
    root = this.find(root);
    this.parent.set(x, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }

  members(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const x of this.parent.keys()) {
      const root = this.find(x);
      const list = out.get(root) ?? [root];
      if (x !== root) list.push(x);
      out.set(root, list);
    }
    return out;
  }
}

function build(): Vocabulary {
  const phrases = new Set<string>();
  const groups = new Groups();
  const excluded = new Set(EXCLUDED_OPENCC_PAIRS);
  for (const table of [TW_PHRASES, HK_PHRASES]) {
    for (const entry of table.split('|')) {
      const [from, to] = entry.split(' ');
      if (!from || !to) continue;
      // As matching sees text: Simplified, NFKC, lower case (U盤 → u盘).
      const a = normaliseForMatch(from);
      const b = normaliseForMatch(to);
      phrases.add(a);
      phrases.add(b);
      if (a !== b && !excluded.has(`${a}=${b}`)) groups.union(a, b);
    }
  }
  for (const group of ALIAS_GROUPS) {
    for (const word of group) {
      phrases.add(word);
      groups.union(group[0]!, word);
    }
  }
  for (const p of [...PROTECTED_PHRASES, ...VARIANT_GUARDS]) phrases.add(p);
  const variants = new Map<string, readonly string[]>();
  for (const members of groups.members().values()) {
    for (const m of members)
      variants.set(
        m,
        members.filter((x) => x !== m),
      );
  }
  const longest = new Map<string, number>();
  for (const p of phrases) longest.set(p[0]!, Math.max(longest.get(p[0]!) ?? 0, p.length));
  return { phrases, longest, variants, guards: new Set(VARIANT_GUARDS) };
}

function vocab(): Vocabulary {
  vocabulary ??= build();
  return vocabulary;
}

/** A phrase found in a text: where it starts and ends (code units). */
interface Token {
  start: number;
  end: number;
  phrase: string;
}

/** The known phrases of `text`, longest first from left to right, as OpenCC segments. */
function segment(text: string): Token[] {
  const { phrases, longest } = vocab();
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const max = Math.min(longest.get(text[i]!) ?? 0, text.length - i);
    let len = max;
    for (; len > 0; len--) if (phrases.has(text.slice(i, i + len))) break;
    if (len > 0) {
      out.push({ start: i, end: i + len, phrase: text.slice(i, i + len) });
      i += len;
    } else i++;
  }
  return out;
}

/** Phrase → the phrases that could take its place in a segmentation ({@link competitorsOf}). */
const competitors = new Map<string, readonly string[]>();

/**
 * The phrases that, where they occur, may make an occurrence of `phrase` not a token of the
 * segmentation: longer ones starting with it, and ones that start earlier and reach into it
 * (四川 for 川普, 软体动物 for 软体). Where none of them occurs, every occurrence is a token.
 */
function competitorsOf(phrase: string): readonly string[] {
  let found = competitors.get(phrase);
  if (found === undefined) {
    const list: string[] = [];
    for (const q of vocab().phrases) {
      if (q === phrase) continue;
      if (q.startsWith(phrase)) {
        list.push(q);
        continue;
      }
      for (let k = 1; k < q.length; k++) {
        const tail = q.slice(k);
        if (tail.startsWith(phrase) || phrase.startsWith(tail)) {
          list.push(q);
          break;
        }
      }
    }
    found = list;
    competitors.set(phrase, found);
  }
  return found;
}

/** The other regional forms of a normalised phrase (empty when it has none). */
export function regionalVariants(phrase: string): readonly string[] {
  return vocab().variants.get(phrase) ?? [];
}

/**
 * Normalised text with each regional word replaced by one fixed form of its group (川普 and
 * 特朗普 both become the same word), so that headlines from different regions can be compared
 * as the same story.
 */
export function canonicalRegionalWords(normalised: string): string {
  let out = '';
  let at = 0;
  for (const token of segment(normalised)) {
    const variants = regionalVariants(token.phrase);
    if (variants.length === 0) continue;
    const canonical = [token.phrase, ...variants].sort()[0]!;
    out += normalised.slice(at, token.start) + canonical;
    at = token.end;
  }
  return at === 0 ? normalised : out + normalised.slice(at);
}

/** A word of a query with regional variants, as one alternative writes it. */
export interface Substitution {
  /** The variant (or the query's own word), as the text must hold it. */
  variant: string;
  /** The query's own word it stands for. */
  original: string;
}

/**
 * One way of writing a query: its text and the regional words in it, each of which the text
 * must hold as a word ({@link holdsAlternative}).
 */
export interface Alternative {
  text: string;
  substitutions: readonly Substitution[];
}

/**
 * The regional alternatives of normalised text ({@link normaliseForMatch} output), the text
 * itself first: each word with regional variants replaced by each of them, at most
 * {@link MAX_ALTERNATIVES} in all. `['特朗普 关税']` → 特朗普 关税, 川普 关税.
 */
export function regionalAlternatives(normalised: string): Alternative[] {
  let alternatives: Alternative[] = [{ text: '', substitutions: [] }];
  let at = 0;
  const append = (s: string) => {
    for (const a of alternatives) a.text += s;
  };
  for (const token of segment(normalised)) {
    append(normalised.slice(at, token.start));
    at = token.end;
    const variants = regionalVariants(token.phrase);
    const next: Alternative[] = [];
    // The query's own word is checked too (川普 is not in 四川普查), but only where it has variants.
    const own = variants.length > 0 ? [{ variant: token.phrase, original: token.phrase }] : [];
    for (const a of alternatives) {
      next.push({ text: a.text + token.phrase, substitutions: [...a.substitutions, ...own] });
      for (const variant of variants) {
        if (next.length >= MAX_ALTERNATIVES) break;
        next.push({
          text: a.text + variant,
          substitutions: [...a.substitutions, { variant, original: token.phrase }],
        });
      }
    }
    // Keep the query's own spelling first, then as many variants as fit.
    alternatives = next.slice(0, MAX_ALTERNATIVES);
  }
  append(normalised.slice(at));
  return alternatives;
}

/**
 * True when normalised `text` holds `s.variant` as a phrase of its own (see the module comment):
 * as a phrase of the segmentation, inside a longer phrase that is, or has a regional form that
 * is, a phrase holding `s.original`, or, for the word as typed, inside a variant guard.
 */
export function holdsVariant(text: string, s: Substitution): boolean {
  if (!text.includes(s.variant)) return false;
  // The common case, without segmenting: nothing in the text could split or swallow it.
  if (!competitorsOf(s.variant).some((q) => text.includes(q))) return true;
  const typed = s.variant === s.original;
  for (const token of segment(text)) {
    if (!token.phrase.includes(s.variant)) continue;
    if (token.phrase === s.variant) return true;
    if (typed && vocab().guards.has(token.phrase)) return true;
    // A longer phrase counts when it is regional vocabulary itself (not a protected phrase)
    // and one of its forms holds the query's word: 资讯科技 is 信息技术, which holds 信息.
    const forms = regionalVariants(token.phrase);
    if (forms.length > 0 && [token.phrase, ...forms].some((p) => p.includes(s.original))) return true;
  }
  return false;
}

/** True when normalised `text` holds every variant of `alternative` (see {@link holdsVariant}). */
export function holdsAlternative(text: string, alternative: Alternative): boolean {
  return alternative.substitutions.every((s) => holdsVariant(text, s));
}

/** Size of the vocabulary, for tests and the memory budget: phrases and grouped phrases. */
export function vocabularySize(): { phrases: number; grouped: number; largestGroup: number } {
  const v = vocab();
  let largest = 0;
  for (const others of v.variants.values()) largest = Math.max(largest, others.length + 1);
  return { phrases: v.phrases.size, grouped: v.variants.size, largestGroup: largest };
}
