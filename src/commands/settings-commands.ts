import {
  canonicalTimezone,
  type FilterChange,
  parseDigestTimes,
  parseFilterChange,
  parseItemFormat,
  parsePreviews,
} from '../chats/chat-rules.ts';
import type { SettingsPatch } from '../chats/chat-service.ts';
import type { Chat, ItemFormat } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { parseLocale, parseScript, scriptName, t } from '../i18n/i18n.ts';
import type { FilterWords } from '../text/filter-match.ts';
import { type CommandContext, type CommandServices, requireManager, say } from './command-context.ts';
import { privateReply, type Reply, textReply } from './reply.ts';

const timesText = (c: Chat) => (c.digestTimes.length > 0 ? c.digestTimes.join(', ') : '—');

async function change(
  services: CommandServices,
  ctx: CommandContext,
  patch: SettingsPatch,
  family = false,
): Promise<Chat> {
  requireManager(ctx);
  const chat = await services.chats.updateSettings(ctx.chat.key, patch, { family });
  ctx.chat = chat;
  return chat;
}

/** `/time 08:00,18:30` */
export async function timeCommand(
  services: CommandServices,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  requireManager(ctx);
  const chat = await change(services, ctx, { digestTimes: parseDigestTimes(args) });
  return textReply(say(ctx, 'time.set', { times: timesText(chat), timezone: chat.timezone }));
}

/** `/timezone Asia/Hong_Kong` (IANA names only; stored in their canonical spelling). */
export async function timezoneCommand(
  services: CommandServices,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  requireManager(ctx);
  const chat = await change(services, ctx, { timezone: canonicalTimezone(args) });
  return textReply(say(ctx, 'timezone.set', { timezone: chat.timezone, times: timesText(chat) }));
}

/** `/pause` and `/resume` */
export async function pauseCommand(
  services: CommandServices,
  ctx: CommandContext,
  paused: boolean,
): Promise<Reply> {
  const chat = await change(services, ctx, { paused });
  return textReply(
    paused
      ? say(ctx, 'pause.done')
      : say(ctx, 'resume.done', { times: timesText(chat), timezone: chat.timezone }),
  );
}

/** `/script original|hans|hant|hant-hk|hant-tw` */
export async function scriptCommand(
  services: CommandServices,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  requireManager(ctx);
  if (!args.trim()) throw new UserError('script.usage');
  const script = parseScript(args);
  if (!script) throw new UserError('script.invalid', { value: args.trim().slice(0, 20) }, 'script.usage');
  await change(services, ctx, { script });
  return textReply(say(ctx, 'script.set', { script: scriptName(ctx.locale, script) }));
}

/** `/lang zh-Hans|zh-Hant|en` — answered in the new language. */
export async function langCommand(
  services: CommandServices,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  requireManager(ctx);
  if (!args.trim()) throw new UserError('lang.usage');
  const locale = parseLocale(args);
  if (!locale) throw new UserError('lang.invalid', { value: args.trim().slice(0, 20) }, 'lang.usage');
  const chat = await change(services, ctx, { locale });
  ctx.locale = chat.locale;
  return textReply(t(chat.locale, 'lang.set'));
}

/** A chat's or a subscription's filters as `+a -b`, or null without any. */
export function filtersText(f: FilterWords): string | null {
  const words = [...f.include.map((w) => `+${w}`), ...f.exclude.map((w) => `-${w}`)];
  return words.length > 0 ? words.join(' ') : null;
}

/**
 * The chat-wide filters: `change` applied (a manager's), or shown when null — with the usage line
 * where commands are typed as text.
 */
export async function chatFilterCommand(
  services: CommandServices,
  ctx: CommandContext,
  change: FilterChange | null,
): Promise<Reply> {
  if (!change) {
    const f = filtersText(ctx.chat);
    const shown = f ? say(ctx, 'filter.set', { filters: f }) : say(ctx, 'filter.none');
    return ctx.syntax === 'text' ? textReply(shown, say(ctx, 'filter.usage')) : textReply(shown);
  }
  requireManager(ctx);
  const chat = await services.chats.changeFilters(ctx.chat.key, change);
  ctx.chat = chat;
  if (change.clear) return textReply(say(ctx, 'filter.cleared'));
  return textReply(say(ctx, 'filter.set', { filters: filtersText(chat) ?? '—' }));
}

/** `/filter +word -word`, `/filter clear` for the whole chat; without arguments, shows the filters. */
export async function filterCommand(
  services: CommandServices,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  if (!args.trim()) return chatFilterCommand(services, ctx, null);
  requireManager(ctx);
  return chatFilterCommand(services, ctx, parseFilterChange(args));
}

/** What `/settings` (Discord) sets; null fields stay as they are. */
export interface SettingsInput {
  language: string | null;
  script: string | null;
  timezone: string | null;
  times: string | null;
  /** `titles`, `summary` or `full`, as typed or chosen; absent: unchanged. */
  format?: string | null;
  /** Link previews on or off; absent: unchanged. */
  previews?: boolean | null;
}

/** An item format's name in the asker's language. */
export function formatName(ctx: CommandContext, format: ItemFormat): string {
  return say(ctx, `format.name.${format}`);
}

/** The line showing a chat's item format and link previews. */
export function itemsLine(ctx: CommandContext, chat: Chat): string {
  return say(ctx, 'settings.items', {
    format: formatName(ctx, chat.itemFormat ?? 'titles'),
    previews: say(ctx, chat.linkPreviews ? 'previews.on' : 'previews.off'),
  });
}

/**
 * Several settings at once for a chat and every chat that follows it (a Discord guild and its
 * channels): each value is checked by the same rules as the single commands before anything is
 * saved; with nothing given, shows the settings.
 */
export async function settingsCommand(
  services: CommandServices,
  ctx: CommandContext,
  input: SettingsInput,
): Promise<Reply> {
  requireManager(ctx);
  const patch: SettingsPatch = {};
  if (input.language !== null) {
    const locale = parseLocale(input.language);
    if (!locale) throw new UserError('lang.invalid', { value: input.language.slice(0, 20) }, 'lang.usage');
    patch.locale = locale;
  }
  if (input.script !== null) {
    const script = parseScript(input.script);
    if (!script) throw new UserError('script.invalid', { value: input.script.slice(0, 20) }, 'script.usage');
    patch.script = script;
  }
  if (input.timezone !== null) patch.timezone = canonicalTimezone(input.timezone);
  if (input.times !== null) patch.digestTimes = parseDigestTimes(input.times);
  if (input.format != null) patch.itemFormat = parseItemFormat(input.format);
  if (input.previews != null) patch.linkPreviews = input.previews;
  const changed = Object.keys(patch).length > 0;
  const chat = changed ? await change(services, ctx, patch, true) : ctx.chat;
  return settingsReply(ctx, chat, changed);
}

function settingsReply(ctx: CommandContext, chat: Chat, changed: boolean): Reply {
  const params = {
    locale: chat.locale,
    script: chat.script,
    timezone: chat.timezone,
    times: timesText(chat),
  };
  return privateReply(say(ctx, changed ? 'settings.saved' : 'settings.show', params), itemsLine(ctx, chat));
}

/**
 * `/settings format <titles|summary|full>` and `/settings previews <on|off>` where commands are
 * typed; `/settings` alone shows the settings. The same rules as Discord's `/settings` options.
 */
export async function settingsTextCommand(
  services: CommandServices,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  const [name = '', ...rest] = args.trim().split(/\s+/);
  const value = rest.join(' ');
  switch (name.toLowerCase()) {
    // Anyone may look; changes need a manager.
    case '':
      return settingsReply(ctx, ctx.chat, false);
    case 'format':
    case '格式': {
      requireManager(ctx);
      const chat = await change(services, ctx, { itemFormat: parseItemFormat(value) }, true);
      return textReply(say(ctx, 'format.set', { format: formatName(ctx, chat.itemFormat ?? 'titles') }));
    }
    case 'previews':
    case 'preview':
    case '预览':
    case '預覽': {
      requireManager(ctx);
      const chat = await change(services, ctx, { linkPreviews: parsePreviews(value) }, true);
      return textReply(say(ctx, chat.linkPreviews ? 'previews.set.on' : 'previews.set.off'));
    }
    default:
      throw new UserError('settings.textUsage');
  }
}
