/**
 * The rules every command surface shares for a chat's settings and subscriptions: limits, and
 * the parsing of what people type (times, time zones, filter words). Violations throw
 * {@link UserError}s whose sentences come from the one i18n catalogue.
 */
import { isTimeZone } from '../config/config.ts';
import { parseTimeOfDay } from '../digest/digest-slots.ts';
import { UserError } from '../errors.ts';
import { normaliseForMatch } from '../text/normalise.ts';

/** Limits of a chat, the same on every platform. */
export const CHAT_LIMITS = {
  /** Subscriptions (sources and keywords) per chat. */
  subscriptions: 100,
  /** Words per filter list (include, exclude). */
  filterWords: 20,
  /** Characters of one filter word or keyword. */
  wordChars: 50,
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

/**
 * `+台湾 -体育 香港` → words to include and exclude, normalised for script-insensitive matching
 * (a word without a sign is included); `clear`, `off`, `清除` clear every word.
 */
export function parseFilterChange(text: string): FilterChange {
  const tokens = text.split(/[\s,，、]+/).filter(Boolean);
  if (tokens.length === 0) throw new UserError('filter.usage');
  if (tokens.length === 1 && ['clear', 'off', 'none', '清除'].includes(tokens[0]!.toLowerCase()))
    return { clear: true };
  const include: string[] = [];
  const exclude: string[] = [];
  for (const token of tokens) {
    const sign = token[0] === '-' || token[0] === '－' ? '-' : '+';
    const word = normaliseForMatch(token.replace(/^[+\-＋－]/, ''));
    if (!word || [...word].length > CHAT_LIMITS.wordChars)
      throw new UserError('filter.invalid', { max: CHAT_LIMITS.wordChars }, 'filter.usage');
    (sign === '-' ? exclude : include).push(word);
  }
  return { clear: false, include, exclude };
}
