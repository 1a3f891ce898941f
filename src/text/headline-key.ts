/**
 * The headline key: a title normalised for near-duplicate verification, small enough to keep
 * in every search-index entry (docs/decisions/0009-near-duplicate-verification.md).
 *
 * On top of {@link normaliseForMatch}'s rules (NFKC, Traditional → Simplified at the character
 * level, lower case) it drops quotes and decorations (（图）, 【视频】, (有片), 快讯：) and keeps the
 * structure a comparison needs, in three marks:
 * - `|` between labels: column tags before 丨 ｜ │ or in a leading 【】 (`特首落区|…`), and
 *   outlet names after ` - `, `_`, `——` (`…|新华网`);
 * - `:` after a lead-in (`英国:不邀…`), which is content, not a label;
 * - ` ` between clauses (spaces, commas, brackets, other punctuation).
 * Digits keep their own punctuation (`3:1`, `0.5%`, `2025-08-30`, `5.0.1`).
 */
import { memoised } from './memo.ts';
import { toSimplified } from './script-converter.ts';

/** Longest key kept, in code points: the part of a headline that tells stories apart. */
export const HEADLINE_KEY_MAX_CHARS = 96;
/** Longer titles are cut before normalising (the article builder already clips at 300). */
const TITLE_MAX_CHARS = 300;

/**
 * Words that only decorate a headline (a medium, an update mark, a column of the outlet): as a
 * whole bracket group, label or lead-in they are dropped. Simplified and lower case.
 */
const DECORATIONS = new Set([
  '图',
  '组图',
  '多图',
  '图集',
  '图文',
  '图辑',
  '附图',
  '视频',
  '附视频',
  '短视频',
  '有片',
  '影片',
  '音频',
  '直播',
  '直播回放',
  '回放',
  '更新',
  '更新版',
  '已更新',
  '快讯',
  '独家',
  '突发',
  '最新',
  '即时',
  '现场',
  '全文',
  '附全文',
  '实录',
  '原创',
  '转载',
  '热点',
  '高清',
  '完整版',
  '速报',
  '号外',
  '重磅',
  '滚动',
  'video',
  'live',
  'updated',
]);
/** Labels that end like this are news-flash columns (新华社快讯, 时政快讯). */
const FLASH_SUFFIX = /(?:快讯|速报|快报)$/u;

const QUOTES = /[“”‘’「」『』《》〈〉"'`]/g;
const BRACKET_GROUP = /[([【〔〖]([^()[\]【】〔〕〖〗]{0,40})[)\]】〕〗]/g;
const STRAY_BRACKETS = /[()[\]【】〔〕〖〗{}]/g;
const LABEL_MARKS = /[丨|│┃‖¦]|[—–―_]+|(?<![a-z0-9])-+|-+(?![a-z0-9])/gu;
const LEAD_IN_COLON = /(?<![0-9]):|:(?![0-9])/g;
const NON_NUMERIC_DOT_SLASH = /(?<![0-9])[./]|[./](?![0-9])/g;
/** Everything that is not a letter, digit, mark or one of the structure characters. */
const OTHER = /[^\p{L}\p{N}\p{M}%|: .:/-]/gu;
/** `第 101 期`: a number set off by spaces inside a phrase (not `蓉城 8月30日`, a new clause). */
const SPACED_NUMBER = /(?<=\p{Script=Han}) ([0-9][0-9.:%-]*) (?=\p{Script=Han})/gu;

function compact(s: string): string {
  return s.replace(/ /g, '');
}

function isDecoration(text: string): boolean {
  const c = compact(text);
  return c === '' || DECORATIONS.has(c) || (FLASH_SUFFIX.test(c) && [...c].length <= 8);
}

/** Drops a decoration lead-in (`快讯:`, `新华社快讯:`, `突发 `) from a label. */
function dropLeadIn(label: string): string {
  const colon = label.indexOf(' : ');
  if (colon > 0 && isDecoration(label.slice(0, colon))) return label.slice(colon + 3);
  const space = label.indexOf(' ');
  if (space > 0 && DECORATIONS.has(label.slice(0, space))) return label.slice(space + 1);
  return label;
}

/**
 * The headline key of a title (see the module comment): the same for the same headline in
 * either script, any width, with or without decorations; `''` when nothing is left. Titles keyed
 * recently are remembered: an article's key is wanted for its fingerprint and again for its
 * index entry.
 */
export const headlineKey: (title: string) => string = memoised(computeKey, 4096);

function computeKey(title: string): string {
  let s = toSimplified(title.slice(0, TITLE_MAX_CHARS).normalize('NFKC'))
    .toLowerCase()
    .replace(QUOTES, '')
    .trim();
  s = s.replace(BRACKET_GROUP, (group: string, inner: string, offset: number) => {
    if (isDecoration(inner)) return ' ';
    // A leading 【…】 or […] is the outlet's column tag, as 特首落区丨 is.
    if (offset === 0 && group[0] !== '(') return ` ${inner} | `;
    return ` ${inner} `;
  });
  s = s
    .replace(STRAY_BRACKETS, ' ')
    .replace(LABEL_MARKS, ' | ')
    .replace(LEAD_IN_COLON, ' : ')
    .replace(NON_NUMERIC_DOT_SLASH, ' ')
    .replace(OTHER, ' ')
    .replace(/ +/g, ' ')
    .replace(SPACED_NUMBER, '$1');
  const labels = s
    .split('|')
    .map((l) => dropLeadIn(l.trim().replace(/^(?:: )+|(?: :)+$/g, '')).trim())
    .filter((l) => l !== '' && !isDecoration(l));
  const key = labels.join('|').replace(/ : /g, ':');
  const chars = Array.from(key);
  return chars.length <= HEADLINE_KEY_MAX_CHARS ? key : chars.slice(0, HEADLINE_KEY_MAX_CHARS).join('');
}
