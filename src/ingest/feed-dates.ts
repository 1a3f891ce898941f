/**
 * Date parsing for feeds: RFC 822 / RFC 2822 and their common sloppy variants (asctime, missing
 * weekday or seconds, two-digit years, named US zones), W3CDTF / ISO 8601 (extended and basic),
 * and the numeric forms of Chinese sites (`2025年8月30日 12:00`, `2025/08/30`). No regex here can
 * backtrack badly: every pattern is anchored with bounded repetitions.
 */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const WEEKDAYS = new Set(['mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun']);

const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  edt: -240,
  est: -300,
  cdt: -300,
  cst: -360,
  mdt: -360,
  mst: -420,
  pdt: -420,
  pst: -480,
  akst: -540,
  akdt: -480,
  hst: -600,
  bst: 60,
  cet: 60,
  cest: 120,
  eet: 120,
  eest: 180,
  jst: 540,
  kst: 540,
  hkt: 480,
  sgt: 480,
  awst: 480,
  aest: 600,
};

const ISO =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:[Tt ]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const CJK_OR_SLASH =
  /^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?(?:\s*[T ]?\s*(\d{1,2})\s*[:时時]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?\s*分?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const OFFSET = /^(?:(?:gmt|utc|ut)?([+-])(\d{1,2}):?(\d{2})?)$/;

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offsetMin: number,
): Date | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms) - offsetMin * 60_000;
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCDate() !== d) return null;
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? null : date;
}

function offsetOf(zone: string | undefined, fallback: number): number {
  if (!zone) return fallback;
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (h * 60 + m);
}

function parseIso(s: string, fallbackOffset: number): Date | null {
  const m = ISO.exec(s);
  if (!m) return null;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return build(
    Number(m[1]),
    m[2] ? Number(m[2]) : 1,
    m[3] ? Number(m[3]) : 1,
    m[4] ? Number(m[4]) : 0,
    m[5] ? Number(m[5]) : 0,
    m[6] ? Number(m[6]) : 0,
    ms,
    offsetOf(m[8], fallbackOffset),
  );
}

function parseCjk(s: string, fallbackOffset: number): Date | null {
  const m = CJK_OR_SLASH.exec(s);
  if (!m) return null;
  return build(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    m[4] ? Number(m[4]) : 0,
    m[5] ? Number(m[5]) : 0,
    m[6] ? Number(m[6]) : 0,
    0,
    offsetOf(m[7], fallbackOffset),
  );
}

/** RFC 822 and friends, read token by token so that order and punctuation may vary. */
function parseTokens(s: string, fallbackOffset: number): Date | null {
  const tokens = s
    .toLowerCase()
    .replace(/[,()]/g, ' ')
    .split(/\s+/)
    .flatMap((t) => (/^\d{1,2}-[a-z]{3,9}-\d{2,4}$/.test(t) ? t.split('-') : [t]));
  let year = -1;
  let month = -1;
  let day = -1;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let offset: number | null = null;
  let pm: boolean | null = null;
  for (const tok of tokens) {
    if (tok === '') continue;
    const mon = MONTHS[tok.length > 3 && tok !== 'sept' ? tok.slice(0, 3) : tok];
    if (mon !== undefined && month < 0 && /^[a-z]+\.?$/.test(tok)) {
      month = mon;
      continue;
    }
    if (WEEKDAYS.has(tok.slice(0, 3)) && /^[a-z]+\.?$/.test(tok)) continue;
    const time = TIME.exec(tok);
    if (time) {
      h = Number(time[1]);
      mi = Number(time[2]);
      sec = time[3] ? Number(time[3]) : 0;
      continue;
    }
    if (tok === 'am' || tok === 'pm') {
      pm = tok === 'pm';
      continue;
    }
    const zone = ZONES[tok];
    if (zone !== undefined) {
      offset = zone;
      continue;
    }
    const off = OFFSET.exec(tok);
    if (off && (tok.length >= 5 || tok.startsWith('gmt') || tok.startsWith('utc'))) {
      offset = (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + (off[3] ? Number(off[3]) : 0));
      continue;
    }
    if (/^\d{1,4}$/.test(tok)) {
      const n = Number(tok);
      if (tok.length >= 3) year = n;
      else if (day < 0) day = n;
      else if (year < 0) year = n < 50 ? 2000 + n : 1900 + n;
      continue;
    }
    if (/^[a-z]$/.test(tok)) continue;
    return null;
  }
  if (year < 0 || month < 0 || day < 0) return null;
  if (pm !== null) {
    if (pm && h < 12) h += 12;
    if (!pm && h === 12) h = 0;
  }
  return build(year, month, day, h, mi, sec, 0, offset ?? fallbackOffset);
}

/**
 * Parses a feed date.
 *
 * @param value - the date as the feed wrote it
 * @param defaultOffsetMinutes - UTC offset assumed when the value names no zone (default 0)
 * @returns the instant, or null when the value is not a recognisable date
 */
export function parseFeedDate(value: string | null | undefined, defaultOffsetMinutes = 0): Date | null {
  if (!value) return null;
  const s = value.trim();
  if (s === '' || s.length > 100) return null;
  const c = s.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) {
    return (
      parseIso(s, defaultOffsetMinutes) ??
      parseCjk(s, defaultOffsetMinutes) ??
      parseTokens(s, defaultOffsetMinutes)
    );
  }
  return parseTokens(s, defaultOffsetMinutes);
}
