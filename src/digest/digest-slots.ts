/**
 * Digest times are `HH:MM` in a chat's IANA timezone. These helpers turn them into cron
 * patterns for BullMQ's Job Scheduler and into the instants of past slots (catch-up).
 */

const TIME = /^([01]?\d|2[0-3])[:：]([0-5]\d)$/;

/** `8:00`, `08:00` or `08：00` → `08:00`; null when not a valid time of day. */
export function parseTimeOfDay(text: string): string | null {
  const m = TIME.exec(text.trim());
  if (!m) return null;
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

/** `08:30` → `30 8 * * *` */
export function cronPattern(time: string): string {
  const [hh, mm] = time.split(':');
  return `${Number(mm)} ${Number(hh)} * * *`;
}

/** Offset of `tz` from UTC at instant `ms`, in ms. */
function offsetAt(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The local calendar date of `ms` in `tz`. */
function localDate(ms: number, tz: string): { y: number; m: number; d: number } {
  const local = new Date(ms + offsetAt(ms, tz));
  return { y: local.getUTCFullYear(), m: local.getUTCMonth(), d: local.getUTCDate() };
}

/** The instant of local time `time` on the local date `date` in `tz`. */
function zoned(date: { y: number; m: number; d: number }, time: string, tz: string): number {
  const [hh, mm] = time.split(':').map(Number);
  const guess = Date.UTC(date.y, date.m, date.d, hh ?? 0, mm ?? 0);
  const first = guess - offsetAt(guess, tz);
  return guess - offsetAt(first, tz);
}

/** The latest slot at or before `now` among `times` in `tz`; null without times. */
export function latestSlot(times: readonly string[], tz: string, now: number): number | null {
  let best: number | null = null;
  const today = localDate(now, tz);
  const yesterday = localDate(now - 86_400_000, tz);
  for (const t of times) {
    for (const day of [today, yesterday]) {
      const at = zoned(day, t, tz);
      if (at <= now && (best === null || at > best)) best = at;
    }
  }
  return best;
}
