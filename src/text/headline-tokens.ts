/**
 * Tokens of a {@link headlineKey}: CJK characters one by one, latin words, and numbers as one
 * canonical token with their measure word — `第十五届` and `第15届` both give `15届`, `3比1`,
 * `3:1` and `3-1` give `3:1`, `百万` and `100万` give `1000000`, `8月30日` gives `8月` `30日`
 * (so `10月8日` and `8月10日` differ). Each token knows its label and clause.
 */

/** What a token is: a CJK character, a latin (or other non-CJK) word, or a number. */
export type TokenKind = 'char' | 'word' | 'number';

/** One token of a headline key. */
export interface HeadlineToken {
  text: string;
  kind: TokenKind;
  /** Index of the label (`|`-separated part) it belongs to. */
  label: number;
  /** Clause number, unique across the whole key. */
  clause: number;
}

/** A tokenised headline key. */
export interface HeadlineTokens {
  tokens: HeadlineToken[];
  /** Number of labels. */
  labels: number;
}

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 1e4, 亿: 1e8 };

/** Measure words and units a number keeps with it (`80名`, `8岁`, `第3届`, `八强`). */
const MEASURES = new Set(
  Array.from(
    '年月日号时点分秒期届集轮场次批名人位个宗例岁元块条项家所架辆部台座度米吨克户版季章节周天倍成股只头件篇页层楼强连胜负球枚艘颗辑话卷册站级码票',
  ),
);
/** Characters before a Chinese numeral that make it a number (`第三`, `之四`, `逾千`). */
const ORDINAL_BEFORE = new Set(Array.from('第之逾超近约共前后每达'));

const HAN = /\p{Script=Han}/u;
const LETTER = /[\p{L}\p{M}]/u;
const ARABIC = /[0-9]+(?:(?:[.:/-]|比)[0-9]+)*(?:[万亿千百]+)?%?/y;
const CHINESE_NUMERAL = /[零〇一二两三四五六七八九十百千万亿]+/y;

/** Value of a Chinese numeral (十五 → 15, 一千万 → 10000000, 二〇二五 → 2025). */
export function chineseNumeralValue(numeral: string): number {
  const chars = Array.from(numeral);
  if (chars.every((c) => c in DIGITS)) return Number(chars.map((c) => DIGITS[c]).join(''));
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const c of chars) {
    const d = DIGITS[c];
    if (d !== undefined) {
      digit = d;
      continue;
    }
    const small = SMALL_UNITS[c];
    if (small !== undefined) {
      section += (digit === 0 ? 1 : digit) * small;
      digit = 0;
      continue;
    }
    const big = BIG_UNITS[c] ?? 1;
    total = (total + section + digit) * big;
    section = 0;
    digit = 0;
  }
  return total + section + digit;
}

function multiplier(units: string): number {
  let m = 1;
  for (const c of units) m *= BIG_UNITS[c] ?? SMALL_UNITS[c] ?? 1;
  return m;
}

function trimZeros(part: string): string {
  return part.replace(/^0+(?=[0-9])/, '');
}

/** Canonical text of an arabic number group (`3比1` → `3:1`, `08` → `8`, `1.2万` → `12000`). */
function canonicalArabic(raw: string): string {
  const percent = raw.endsWith('%') ? '%' : '';
  const body = percent ? raw.slice(0, -1) : raw;
  const units = /[万亿千百]+$/.exec(body)?.[0] ?? '';
  const digits = units ? body.slice(0, -units.length) : body;
  if (/[:/\-比]/.test(digits))
    return (
      digits
        .split(/[:/\-比]/)
        .map(trimZeros)
        .join(':') + percent
    );
  const dots = digits.split('.');
  if (dots.length > 2) return dots.map(trimZeros).join('.') + percent;
  const value = Number(digits) * multiplier(units);
  // 1.2万 is 12000 exactly, not 12000.000000000002.
  const rounded = Math.abs(value - Math.round(value)) < 1e-6 ? Math.round(value) : value;
  return String(rounded) + percent;
}

function isNumeralNumber(run: string, before: string | undefined, after: string | undefined): boolean {
  if (before !== undefined && ORDINAL_BEFORE.has(before)) return true;
  // A lone 十 百 千 万 亿 is a number only after 第 / 逾 …: 百分点, 十分, 千人计划 are words.
  if (run.length === 1 && /[十百千万亿]/.test(run)) return false;
  if (after !== undefined && MEASURES.has(after)) return true;
  // 十一, 百万, 二〇二五 on their own; a lone 一 or 万 (一带一路, 万科) is a character.
  return run.length >= 2 && (/[十百千万亿]/.test(run) || /^[零〇一二三四五六七八九]+$/.test(run));
}

const NUMERAL_CHARS = new Set(Array.from('零〇一二两三四五六七八九十百千万亿'));

function readNumeral(chars: string, at: number): string {
  CHINESE_NUMERAL.lastIndex = at;
  return CHINESE_NUMERAL.exec(chars)![0];
}

/** A letter (or mark) of a latin or other non-CJK word. */
function isWordChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  if (code >= 0x61 && code <= 0x7a) return true;
  if (code < 0x80) return false;
  return LETTER.test(ch) && !HAN.test(ch);
}

/** Splits a headline key into tokens (see the module comment). */
export function tokenizeHeadline(key: string): HeadlineTokens {
  const tokens: HeadlineToken[] = [];
  const chars = key;
  let label = 0;
  let clause = 0;
  let i = 0;
  const push = (text: string, kind: TokenKind) => tokens.push({ text, kind, label, clause });
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '|') {
      label++;
      clause++;
      i++;
      continue;
    }
    if (c === ':' || c === ' ') {
      // A space between two latin words or numbers (bbc news, iphone 17) does not end a clause.
      const prev = tokens.at(-1);
      const next = chars[i + 1];
      const latinBoth =
        c === ' ' &&
        prev !== undefined &&
        prev.kind !== 'char' &&
        next !== undefined &&
        !HAN.test(next) &&
        prev.label === label;
      if (!latinBoth) clause++;
      i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      ARABIC.lastIndex = i;
      const raw = ARABIC.exec(chars)![0];
      i += raw.length;
      const after = chars[i];
      // Scores and dates (3:1, 2025-08-30) take no measure word: 3比1成都 is not 成.
      const measure = after !== undefined && MEASURES.has(after) && !/[:/\-比]/.test(raw) ? after : '';
      if (measure) i++;
      push(canonicalArabic(raw) + measure, 'number');
      continue;
    }
    const numeral = NUMERAL_CHARS.has(c) ? readNumeral(chars, i) : undefined;
    if (numeral !== undefined) {
      const after = chars[i + numeral.length];
      if (isNumeralNumber(numeral, chars[i - 1], after)) {
        i += numeral.length;
        const measure = after !== undefined && MEASURES.has(after) ? after : '';
        if (measure) i++;
        push(String(chineseNumeralValue(numeral)) + measure, 'number');
        continue;
      }
    }
    const code = chars.charCodeAt(i);
    if (code >= 0x4e00 && code <= 0x9fff) {
      // The common case first: a CJK unified ideograph.
      push(c, 'char');
      i++;
      continue;
    }
    const cp = chars.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (isWordChar(ch)) {
      let j = i + ch.length;
      while (j < chars.length) {
        const n = String.fromCodePoint(chars.codePointAt(j)!);
        if (!isWordChar(n)) break;
        j += n.length;
      }
      push(chars.slice(i, j), 'word');
      i = j;
      continue;
    }
    if (HAN.test(ch) || LETTER.test(ch)) push(ch, 'char');
    // Anything else left in a key (a stray '.', '-', '%', '/') only separates.
    i += ch.length;
  }
  return { tokens, labels: label + 1 };
}
