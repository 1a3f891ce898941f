import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import { isTimeZone } from '../../src/config/config.ts';
import { parseTimeOfDay } from '../../src/digest/digest-slots.ts';
import type { Locale, Script } from '../../src/domain/types.ts';
import { localeFromDiscord } from './discord-locale.ts';
import { dt } from './discord-strings.ts';
import { escapeMarkdown, LIMITS, truncate } from './embed-limits.ts';
import { type AdminDeps, guildChannelChats, requireManager } from './feed-commands.ts';
import type { Reply } from './interaction-reply.ts';
import { UserFacingError } from './user-error.ts';

const LOCALES: readonly Locale[] = ['zh-Hans', 'zh-Hant', 'en'];
const SCRIPTS: readonly Script[] = ['original', 'hans', 'hant', 'hant-hk', 'hant-tw'];

function parseTimes(text: string): string[] {
  const times = text
    .split(/[,，\s]+/)
    .filter(Boolean)
    .map(parseTimeOfDay);
  if (times.length === 0 || times.length > 24 || times.some((t) => t === null))
    throw new UserFacingError('badTimes');
  return [...new Set(times as string[])].sort();
}

/**
 * /settings [language] [script] [timezone] [digest_times]: with no option, shows the guild's
 * settings; otherwise saves them on the guild's chat and on every channel chat of the guild (their
 * digest schedules follow through the schedule port).
 */
export async function settingsCommand(deps: AdminDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const guildId = requireManager(i);
  const locale = localeFromDiscord(i.locale);
  const language = i.options.getString('language');
  const script = i.options.getString('script');
  const timezone = i.options.getString('timezone')?.trim() ?? null;
  const timesText = i.options.getString('digest_times');
  if (language !== null && !LOCALES.includes(language as Locale)) throw new UserFacingError('failed');
  if (script !== null && !SCRIPTS.includes(script as Script)) throw new UserFacingError('failed');
  if (timezone !== null && !isTimeZone(timezone)) {
    throw new UserFacingError('badTimezone', { timezone: truncate(escapeMarkdown(timezone), 64) });
  }
  const times = timesText === null ? null : parseTimes(timesText);
  const guildChat = await deps.guilds.ensureGuildChat(guildId, i.guild?.name ?? null, i.guildLocale);
  const apply = (c: { locale: Locale; script: Script; timezone: string; digestTimes: string[] }) => {
    if (language !== null) c.locale = language as Locale;
    if (script !== null) c.script = script as Script;
    if (timezone !== null) c.timezone = timezone;
    if (times !== null) c.digestTimes = times;
  };
  const changed = language !== null || script !== null || timezone !== null || times !== null;
  let shown = guildChat;
  if (changed) {
    const res = await deps.chats.update(guildChat.key, apply);
    if (res) shown = res.after;
    deps.guilds.invalidate(guildId);
    for (const c of await guildChannelChats(deps.chats, guildId)) {
      const r = await deps.chats.update(c.key, apply);
      if (r) await deps.schedules?.sync(r.before, r.after);
    }
  }
  const params = {
    locale: shown.locale,
    script: shown.script,
    timezone: shown.timezone,
    times: shown.digestTimes.join(', ') || '—',
  };
  return { content: dt(locale, changed ? 'settingsSaved' : 'settingsShow', params), ephemeral: true };
}

/** Autocomplete of the `timezone` option: IANA zones containing what was typed (≤ 25). */
export function timezoneChoices(i: AutocompleteInteraction): Array<{ name: string; value: string }> {
  const typed = String(i.options.getFocused() ?? '').toLowerCase();
  const zones = ['UTC', ...Intl.supportedValuesOf('timeZone')];
  const hits = zones.filter((z) => z.toLowerCase().includes(typed));
  const preferred = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Macau', 'Asia/Singapore'];
  hits.sort((a, b) => (preferred.includes(b) ? 1 : 0) - (preferred.includes(a) ? 1 : 0));
  return hits.slice(0, LIMITS.autocompleteChoices).map((z) => ({ name: z, value: z }));
}
