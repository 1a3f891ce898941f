/** Dates as every surface shows them: 24-hour clock, the same shape in every language. */

/** `2025-06-01 08:00` in the IANA zone `tz`. */
export function formatLocalTime(ms: number, tz: string): string {
  const p = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (k: string) => p.find((x) => x.type === k)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
