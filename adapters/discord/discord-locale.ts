import type { Locale, Script } from '../../src/domain/types.ts';

/** The UI language for a Discord locale: zh-CN → zh-Hans, zh-TW / zh-HK → zh-Hant, everything else → en. */
export function localeFromDiscord(discordLocale: string | null | undefined): Locale {
  if (discordLocale === 'zh-CN') return 'zh-Hans';
  if (discordLocale === 'zh-TW' || discordLocale === 'zh-HK') return 'zh-Hant';
  return 'en';
}

/** The default headline script of a guild from its preferred locale (before /settings sets one). */
export function scriptFromDiscord(discordLocale: string | null | undefined): Script {
  if (discordLocale === 'zh-CN') return 'hans';
  if (discordLocale === 'zh-TW') return 'hant-tw';
  if (discordLocale === 'zh-HK') return 'hant-hk';
  return 'original';
}

/** `2025-09-03 14:05` in `timezone` (24-hour clock, the same shape in every language). */
export function formatTime(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
