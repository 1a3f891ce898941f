/**
 * The rules every command surface shares for a chat's settings and subscriptions: limits, and
 * the parsing of what people type (times, time zones, filter words). Violations throw
 * {@link UserError}s whose sentences come from the one i18n catalogue.
 */
import { isTimeZone } from '../config/config.ts';
import { parseTimeOfDay } from '../digest/digest-slots.ts';
import type { ItemFormat } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { filterText, stripInvisible } from '../text/filter-match.ts';

/** Limits of a chat, the same on every platform. */
export const CHAT_LIMITS = {
  /** Subscriptions (sources and keywords) per chat. */
  subscriptions: 100,
  /** Words per filter list (include, exclude). */
  filterWords: 20,
  /** Characters of one filter word or keyword. */
  wordChars: 50,
  /** Characters of a subscription's own name (`/rename`). */
  nameChars: 40,
  /** Digest times per day. */
  times: 6,
  /** Bytes of an OPML file to import. */
  opmlBytes: 512 * 1024,
  /** Feeds taken from one OPML file. */
  opmlItems: 50,
} as const;

/** `08:00,18:30` (also `、`, `；`, spaces, full-width colons) → sorted unique `HH:MM` times. */
export function parseDigestTimes(text: string): string[] {
  const parts = text.split(/[\s,，、;；]+/).filter(Boolean);
  if (parts.length === 0) throw new UserError('time.usage', { max: CHAT_LIMITS.times });
  const times: string[] = [];
  for (const p of parts) {
    const time = parseTimeOfDay(p);
    if (!time)
      throw new UserError('time.invalid', { value: p.slice(0, 20), max: CHAT_LIMITS.times }, 'time.usage');
    times.push(time);
  }
  const unique = [...new Set(times)].sort();
  if (unique.length > CHAT_LIMITS.times) throw new UserError('time.tooMany', { max: CHAT_LIMITS.times });
  return unique;
}

/** An IANA time zone name as typed → its canonical spelling (`asia/hong_kong` → `Asia/Hong_Kong`). */
export function canonicalTimezone(text: string): string {
  const tz = text.trim();
  if (!tz) throw new UserError('timezone.usage');
  const shown = { value: tz.slice(0, 40) };
  // Single words like `EST` or `CST` are legacy aliases that mean different things to different
  // readers; only `UTC` and Area/Location names are accepted.
  if ((!tz.includes('/') && tz.toUpperCase() !== 'UTC') || !isTimeZone(tz))
    throw new UserError('timezone.invalid', shown, 'timezone.usage');
  return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
}

/** What `/filter` asks: clear every word, or add words to include and exclude. */
export type FilterChange = { clear: true } | { clear: false; include: string[]; exclude: string[] };

/** Words that clear a filter when typed alone (`/filter clear`, `/filter 港聞台 clear`). */
export const CLEAR_WORDS: readonly string[] = ['clear', 'off', 'none', '清除'];

const SEPARATORS = /[\s,，、]+/;

/** A filter word as typed (sign already removed) → its normalised form, or `filter.invalid`. */
function filterWord(typed: string): string {
  const word = filterText(typed);
  if (!word || [...word].length > CHAT_LIMITS.wordChars)
    throw new UserError('filter.invalid', { max: CHAT_LIMITS.wordChars }, 'filter.usage');
  return word;
}

/**
 * `+台湾 -体育 香港` → words to include and exclude, normalised for script-insensitive matching
 * (a word without a sign is included); `clear`, `off`, `清除` clear every word. Characters that do
 * not show (zero-width, bidi controls) are dropped first, so they neither hide a sign nor stay in
 * a word.
 */
export function parseFilterChange(text: string): FilterChange {
  const tokens = stripInvisible(text).split(SEPARATORS).filter(Boolean);
  if (tokens.length === 0) throw new UserError('filter.usage');
  if (tokens.length === 1 && CLEAR_WORDS.includes(tokens[0]!.toLowerCase())) return { clear: true };
  const include: string[] = [];
  const exclude: string[] = [];
  for (const token of tokens) {
    const sign = token[0] === '-' || token[0] === '－' ? '-' : '+';
    (sign === '-' ? exclude : include).push(filterWord(token.replace(/^[+\-＋－]/, '')));
  }
  return { clear: false, include, exclude };
}

/**
 * Filter words given as separate lists (Discord's `include` and `exclude` options, words
 * separated by spaces or commas; signs are not needed) → a change; null when neither list is given.
 */
export function parseFilterLists(input: {
  include: string | null;
  exclude: string | null;
  clear: boolean;
}): FilterChange | null {
  if (input.clear) return { clear: true };
  const words = (text: string | null) => {
    if (text === null) return [];
    const typed = stripInvisible(text).split(SEPARATORS).filter(Boolean);
    // An option given with nothing visible in it is a word of no characters, not "no change".
    if (typed.length === 0) return [filterWord('')];
    return typed.map((w) => filterWord(w.replace(/^[+\-＋－]/, '')));
  };
  const include = words(input.include);
  const exclude = words(input.exclude);
  if (include.length === 0 && exclude.length === 0) return null;
  return { clear: false, include, exclude };
}

/**
 * Apply a change to a chat's or a subscription's filter lists (a word moves between lists);
 * `filter.tooMany` when a list would exceed {@link CHAT_LIMITS.filterWords}, changing nothing.
 */
export function applyFilterChange(
  current: { include: readonly string[]; exclude: readonly string[] },
  change: FilterChange,
): { include: string[]; exclude: string[] } {
  if (change.clear) return { include: [], exclude: [] };
  const include = [
    ...new Set([...current.include.filter((w) => !change.exclude.includes(w)), ...change.include]),
  ];
  const exclude = [
    ...new Set([...current.exclude.filter((w) => !change.include.includes(w)), ...change.exclude]),
  ];
  if (include.length > CHAT_LIMITS.filterWords || exclude.length > CHAT_LIMITS.filterWords)
    throw new UserError('filter.tooMany', { max: CHAT_LIMITS.filterWords });
  return { include, exclude };
}

/** Control characters (C0, DEL, C1) a name must not carry into a heading. */
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;

/**
 * A subscription's new name as typed → the name to store: characters that do not show and control
 * characters dropped, whitespace collapsed. `rename.invalid` unless it has 1 to
 * {@link CHAT_LIMITS.nameChars} characters and does not begin with a sign (`/filter <name> +word`
 * must not read as a chat-wide filter).
 */
export function parseSubscriptionName(text: string): string {
  const name = stripInvisible(text).replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...name].length;
  if (chars === 0 || chars > CHAT_LIMITS.nameChars || /^[+\-＋－]/.test(name))
    throw new UserError('rename.invalid', { max: CHAT_LIMITS.nameChars }, 'rename.usage');
  return name;
}

/** Item formats, plainest first. */
export const ITEM_FORMATS: readonly ItemFormat[] = ['titles', 'summary', 'full'];

/** What people type for each format (either script, either language). */
const FORMAT_WORDS: Record<ItemFormat, readonly string[]> = {
  titles: ['titles', 'title', '标题', '標題'],
  summary: ['summary', 'summaries', '摘要'],
  full: ['full', '完整', '全文'],
};

/** Words that give a subscription back the chat's format. */
const DEFAULT_WORDS: readonly string[] = ['default', 'chat', 'inherit', '默认', '默認', '預設'];

const typedValue = (text: string) => stripInvisible(text).trim().toLowerCase();

function formatOf(value: string): ItemFormat | null {
  for (const f of ITEM_FORMATS) if (FORMAT_WORDS[f].includes(value)) return f;
  return null;
}

/** `titles`, `summary` or `full` (also 标题/摘要/完整) → the chat's item format, or `format.invalid`. */
export function parseItemFormat(text: string): ItemFormat {
  const value = typedValue(text);
  if (!value) throw new UserError('format.usage');
  const format = formatOf(value);
  if (!format) throw new UserError('format.invalid', { value: value.slice(0, 20) }, 'format.usage');
  return format;
}

/** Like {@link parseItemFormat} for a subscription; `default` (默认) gives null: the chat's format. */
export function parseSubscriptionFormat(text: string): ItemFormat | null {
  const value = typedValue(text);
  if (DEFAULT_WORDS.includes(value)) return null;
  if (!value) throw new UserError('subformat.usage');
  const format = formatOf(value);
  if (!format) throw new UserError('format.invalid', { value: value.slice(0, 20) }, 'subformat.usage');
  return format;
}

const ON_WORDS: readonly string[] = ['on', 'yes', 'true', '1', '开', '開', '开启', '開啟'];
const OFF_WORDS: readonly string[] = ['off', 'no', 'false', '0', '关', '關', '关闭', '關閉'];

/** `on` or `off` (also 开/关) → whether link previews are shown, or `previews.invalid`. */
export function parsePreviews(text: string): boolean {
  const value = typedValue(text);
  if (!value) throw new UserError('previews.usage');
  if (ON_WORDS.includes(value)) return true;
  if (OFF_WORDS.includes(value)) return false;
  throw new UserError('previews.invalid', { value: value.slice(0, 20) }, 'previews.usage');
}
