/**
 * Verification of a near-duplicate candidate: do two headline keys ({@link headlineKey}) report
 * the same story? SimHash finds candidates; this decides, erring towards "different" — a wrong
 * merge hides a story from readers, a missed one shows it twice.
 *
 * Two headlines are the same story when, after dropping labels that only one of them has (or
 * that both have but that carry no conflicting numbers: column tags, outlet names), their
 * tokens differ by insertions and deletions only:
 * - the same numbers with their measure words (`第101期` ≠ `第102期`, `3:1` ≠ `1:3`,
 *   `10月8日` ≠ `8月10日`, `十五届` = `15届`);
 * - no negation added or removed (不 未 没 无 非 否 别 勿);
 * - no substitution: where one headline has a word the other replaces (横向 / 竖向, 美方 /
 *   日方, 埃及总理马德布利 / 柬埔寨首相洪玛奈), beyond function words (的 在 与 和 …);
 * - no added clause of four or more characters (`… 中方宣布反制`): a new development;
 * - together, no more added than the shorter headline holds.
 * Moved text (`卢拉说…` / `卢拉:…`) is not a difference.
 */
import { type HeadlineToken, type HeadlineTokens, tokenizeHeadline } from './headline-tokens.ts';
import { canonicalRegionalWords } from './regional-vocabulary.ts';

/** The decision and, for tests and logs, why. */
export interface StoryVerdict {
  same: boolean;
  reason: string;
}

/** Fewest tokens a headline (after dropping labels) needs to be compared at all. */
const MIN_TOKENS = 4;
/** A clause only one headline has, with at least this many tokens, is a new development. */
const ADDED_CLAUSE_TOKENS = 4;
const MAX_LEADING_DROPS = 2;
const MAX_TRAILING_DROPS = 3;
/** Headlines with more labels than this are compared whole (a real one has three or four). */
const MAX_LABELS = 5;

const NEGATIONS = new Set(Array.from('不未没无非否别勿'));
/** Function characters whose swap does not change a story (在/于, 与/和, 称/说). */
const FUNCTION_CHARS = new Set(Array.from('的了在于与和及并等将已为是之其称说向就'));

interface Core {
  tokens: HeadlineToken[];
  leading: HeadlineToken[];
  trailing: HeadlineToken[];
}

function same(reason: string): StoryVerdict {
  return { same: true, reason };
}

function different(reason: string): StoryVerdict {
  return { same: false, reason };
}

function texts(tokens: readonly HeadlineToken[]): string {
  return tokens.map((t) => t.text).join('');
}

function numbers(tokens: readonly HeadlineToken[]): string[] {
  return tokens
    .filter((t) => t.kind === 'number')
    .map((t) => t.text)
    .sort();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The headline with 0–2 leading and 0–3 trailing labels dropped, each label shorter than what is left. */
function cores(h: HeadlineTokens): Core[] {
  const whole: Core = { tokens: h.tokens, leading: [], trailing: [] };
  if (h.labels < 2 || h.labels > MAX_LABELS) return [whole];
  const byLabel: HeadlineToken[][] = Array.from({ length: h.labels }, () => []);
  for (const t of h.tokens) byLabel[t.label]!.push(t);
  const out: Core[] = [whole];
  for (let lead = 0; lead <= Math.min(MAX_LEADING_DROPS, h.labels - 1); lead++) {
    for (let trail = 0; trail <= Math.min(MAX_TRAILING_DROPS, h.labels - 1 - lead); trail++) {
      if (lead === 0 && trail === 0) continue;
      const kept = byLabel.slice(lead, h.labels - trail);
      const tokens = kept.flat();
      if (tokens.length < MIN_TOKENS) continue;
      const dropped = [...byLabel.slice(0, lead), ...byLabel.slice(h.labels - trail)];
      if (dropped.some((l) => l.length > tokens.length)) continue;
      out.push({
        tokens,
        leading: byLabel.slice(0, lead).flat(),
        trailing: byLabel.slice(h.labels - trail).flat(),
      });
    }
  }
  return out;
}

/** Labels dropped on both sides must not carry different numbers (`第101期` / `第102期`). */
function compatibleDrops(a: readonly HeadlineToken[], b: readonly HeadlineToken[]): boolean {
  const na = numbers(a);
  const nb = numbers(b);
  return na.length === 0 || nb.length === 0 || sameList(na, nb);
}

/** Longest common subsequence of token texts: which tokens of each side are matched. */
function align(a: readonly HeadlineToken[], b: readonly HeadlineToken[]): [Uint8Array, Uint8Array] {
  const n = a.length;
  const m = b.length;
  // Suffix table so that the walk below goes forwards.
  const dp = new Uint16Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[at(i, j)] =
        a[i]!.text === b[j]!.text
          ? dp[at(i + 1, j + 1)]! + 1
          : Math.max(dp[at(i + 1, j)]!, dp[at(i, j + 1)]!);
    }
  }
  const ma = new Uint8Array(n);
  const mb = new Uint8Array(m);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i]!.text === b[j]!.text) {
      ma[i++] = 1;
      mb[j++] = 1;
    } else if (dp[at(i + 1, j)]! >= dp[at(i, j + 1)]!) i++;
    else j++;
  }
  return [ma, mb];
}

/** Unmatched tokens that the other side has unmatched too were moved, not changed: mark them matched. */
function cancelMoves(
  a: readonly HeadlineToken[],
  ma: Uint8Array,
  b: readonly HeadlineToken[],
  mb: Uint8Array,
): void {
  const spare = new Map<string, number[]>();
  b.forEach((t, j) => {
    if (mb[j]) return;
    const list = spare.get(t.text);
    if (list) list.push(j);
    else spare.set(t.text, [j]);
  });
  a.forEach((t, i) => {
    if (ma[i]) return;
    const j = spare.get(t.text)?.shift();
    if (j === undefined) return;
    ma[i] = 2;
    mb[j] = 2;
  });
}

/** Runs of unmatched tokens between two matches, as [indexes in a, indexes in b]. */
function hunks(ma: Uint8Array, mb: Uint8Array): Array<[number[], number[]]> {
  const out: Array<[number[], number[]]> = [];
  let cur: [number[], number[]] = [[], []];
  let i = 0;
  let j = 0;
  const close = () => {
    if (cur[0].length > 0 || cur[1].length > 0) out.push(cur);
    cur = [[], []];
  };
  while (i < ma.length || j < mb.length) {
    if (i < ma.length && ma[i] !== 1) {
      if (ma[i] === 0) cur[0].push(i);
      i++;
    } else if (j < mb.length && mb[j] !== 1) {
      if (mb[j] === 0) cur[1].push(j);
      j++;
    } else {
      close();
      i++;
      j++;
    }
  }
  close();
  return out;
}

/** A clause of one side whose tokens are all unmatched, with at least {@link ADDED_CLAUSE_TOKENS}. */
function addedClause(tokens: readonly HeadlineToken[], matched: Uint8Array): string | null {
  const clauses = new Map<number, { all: number; added: number; text: string }>();
  tokens.forEach((t, i) => {
    const c = clauses.get(t.clause) ?? { all: 0, added: 0, text: '' };
    c.all++;
    c.text += t.text;
    if (matched[i] === 0) c.added++;
    clauses.set(t.clause, c);
  });
  for (const c of clauses.values()) if (c.all >= ADDED_CLAUSE_TOKENS && c.added === c.all) return c.text;
  return null;
}

function isContent(t: HeadlineToken): boolean {
  return !(t.kind === 'char' && FUNCTION_CHARS.has(t.text));
}

/** Tokens of `a` left over once every token of `b` has taken one equal token of `a` (multiset difference). */
function without(a: readonly HeadlineToken[], b: readonly HeadlineToken[]): HeadlineToken[] {
  const count = new Map<string, number>();
  for (const t of b) count.set(t.text, (count.get(t.text) ?? 0) + 1);
  return a.filter((t) => {
    const c = count.get(t.text) ?? 0;
    if (c > 0) count.set(t.text, c - 1);
    return c === 0;
  });
}

function compareCores(a: readonly HeadlineToken[], b: readonly HeadlineToken[]): StoryVerdict {
  if (texts(a) === texts(b)) return same('same words');
  if (Math.min(a.length, b.length) < MIN_TOKENS) return different('too short to compare');
  const na = numbers(a);
  const nb = numbers(b);
  if (!sameList(na, nb)) return different(`numbers ${na.join(',')} / ${nb.join(',')}`);
  // What is left unmatched once moves are cancelled is exactly the multiset difference, so these
  // checks need no alignment; only where the leftovers sit (one hunk or two) does.
  const onlyA = without(a, b);
  const onlyB = without(b, a);
  const negation = [...onlyA, ...onlyB].find((t) => t.kind === 'char' && NEGATIONS.has(t.text));
  if (negation) return different(`negation ${negation.text}`);
  const addedA = onlyA.filter(isContent).length;
  const addedB = onlyB.filter(isContent).length;
  if (addedA + addedB > Math.min(a.length, b.length)) return different(`too much added (${addedA + addedB})`);
  const [ma, mb] = align(a, b);
  cancelMoves(a, ma, b, mb);
  if (addedA > 0 && addedB > 0) {
    for (const [ia, ib] of hunks(ma, mb)) {
      const ta = ia.map((i) => a[i]!);
      const tb = ib.map((j) => b[j]!);
      if (ta.some(isContent) && tb.some(isContent))
        return different(`substitution ${texts(ta)} / ${texts(tb)}`);
    }
  }
  const clause = addedClause(a, ma) ?? addedClause(b, mb);
  if (clause !== null) return different(`added clause ${clause}`);
  const added = addedA + addedB;
  return same(added === 0 ? 'function words only' : `insertions only (${added})`);
}

/**
 * Tokens of a headline key as stories are compared: regional words in one form of their group
 * (`川普` and `特朗普` alike, `regional-vocabulary.ts`), so that outlets of different regions
 * reporting one story are one story.
 */
export function storyTokens(key: string): HeadlineTokens {
  return tokenizeHeadline(canonicalRegionalWords(key));
}

/**
 * Whether two headline keys report the same story, and why (see the module comment). An empty
 * key is never the same as anything.
 */
export function compareHeadlines(keyA: string, keyB: string): StoryVerdict {
  if (keyA === '' || keyB === '') return different('empty headline');
  if (keyA === keyB) return same('identical');
  return compareTokens(storyTokens(keyA), storyTokens(keyB));
}

/** {@link compareHeadlines} of keys already tokenised (a look-up compares one key with several). */
export function compareTokens(a: HeadlineTokens, b: HeadlineTokens): StoryVerdict {
  if (a.tokens.length === 0 || b.tokens.length === 0) return different('empty headline');
  let first: StoryVerdict | null = null;
  for (const ca of cores(a)) {
    for (const cb of cores(b)) {
      if (!compatibleDrops(ca.leading, cb.leading) || !compatibleDrops(ca.trailing, cb.trailing)) continue;
      const verdict = compareCores(ca.tokens, cb.tokens);
      const dropped = ca.leading.length + ca.trailing.length + cb.leading.length + cb.trailing.length;
      if (verdict.same) return dropped > 0 ? same(`${verdict.reason}, labels dropped`) : verdict;
      first ??= verdict;
    }
  }
  return first ?? different('labels differ');
}

/** {@link compareHeadlines} without the reason. */
export function isSameStory(keyA: string, keyB: string): boolean {
  return compareHeadlines(keyA, keyB).same;
}
