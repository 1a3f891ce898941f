import { isTimeZone } from '../config/config.ts';
import { parseTimeOfDay } from '../digest/digest-slots.ts';
import type { Chat, Script } from '../domain/types.ts';
import { parseLocale, t } from '../i18n/i18n.ts';
import { normaliseForMatch } from '../text/normalise.ts';
import { type CommandContext, type CommandDeps, LIMITS } from './command-context.ts';
import { type Reply, textReply } from './reply.ts';

/** Save a change to the target chat and keep its schedule in step. */
export async function changeChat(
  deps: CommandDeps,
  ctx: CommandContext,
  change: (c: Chat) => void,
): Promise<Chat> {
  const res = await deps.chats.update(ctx.chat.key, change);
  if (!res) return ctx.chat;
  await deps.schedules.sync(res.before, res.after);
  ctx.chat = res.after;
  return res.after;
}

const timesText = (c: Chat) => (c.digestTimes.length > 0 ? c.digestTimes.join(', ') : '—');

/** `/time 08:00,18:30` */
export async function timeCommand(deps: CommandDeps, ctx: CommandContext, args: string): Promise<Reply> {
  const l = ctx.chat.locale;
  const parts = args.split(/[\s,，、;；]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > LIMITS.times)
    return textReply(t(l, 'time.usage', { max: LIMITS.times }));
  const times: string[] = [];
  for (const p of parts) {
    const time = parseTimeOfDay(p);
    if (!time)
      return textReply(
        t(l, 'time.invalid', { value: p.slice(0, 20) }),
        t(l, 'time.usage', { max: LIMITS.times }),
      );
    times.push(time);
  }
  const chat = await changeChat(deps, ctx, (c) => {
    c.digestTimes = [...new Set(times)].sort();
  });
  return textReply(t(l, 'time.set', { times: timesText(chat), timezone: chat.timezone }));
}

/** `/timezone Asia/Hong_Kong` (IANA names only). */
export async function timezoneCommand(deps: CommandDeps, ctx: CommandContext, args: string): Promise<Reply> {
  const l = ctx.chat.locale;
  const tz = args.trim();
  if (!tz) return textReply(t(l, 'timezone.usage'));
  if (!tz.includes('/') && tz !== 'UTC')
    return textReply(t(l, 'timezone.invalid', { value: tz.slice(0, 40) }));
  if (!isTimeZone(tz)) return textReply(t(l, 'timezone.invalid', { value: tz.slice(0, 40) }));
  const canonical = new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  const chat = await changeChat(deps, ctx, (c) => {
    c.timezone = canonical;
  });
  return textReply(t(l, 'timezone.set', { timezone: chat.timezone, times: timesText(chat) }));
}

/** `/pause` and `/resume` */
export async function pauseCommand(deps: CommandDeps, ctx: CommandContext, paused: boolean): Promise<Reply> {
  const chat = await changeChat(deps, ctx, (c) => {
    c.paused = paused;
  });
  const l = chat.locale;
  return textReply(
    paused ? t(l, 'pause.done') : t(l, 'resume.done', { times: timesText(chat), timezone: chat.timezone }),
  );
}

const SCRIPTS: Record<string, Script> = {
  original: 'original',
  orig: 'original',
  原文: 'original',
  hans: 'hans',
  简体: 'hans',
  簡體: 'hans',
  hant: 'hant',
  繁體: 'hant',
  繁体: 'hant',
  'hant-hk': 'hant-hk',
  'hant-tw': 'hant-tw',
};

/** Display name of a script in `chat`'s language. */
export function scriptName(chat: Chat, s: Script): string {
  if (s === 'original') return t(chat.locale, 'script.original');
  if (s === 'hans') return t(chat.locale, 'script.hans');
  return `${t(chat.locale, 'script.hant')}${s === 'hant' ? '' : ` (${s.slice(5).toUpperCase()})`}`;
}

/** `/script original|hans|hant` */
export async function scriptCommand(deps: CommandDeps, ctx: CommandContext, args: string): Promise<Reply> {
  const script = SCRIPTS[args.trim().toLowerCase()];
  if (!script) return textReply(t(ctx.chat.locale, 'script.usage'));
  const chat = await changeChat(deps, ctx, (c) => {
    c.script = script;
  });
  return textReply(t(chat.locale, 'script.set', { script: scriptName(chat, script) }));
}

/** The chat's filters as `+a -b`, or null without any. */
export function filtersText(chat: Chat): string | null {
  const words = [...chat.include.map((w) => `+${w}`), ...chat.exclude.map((w) => `-${w}`)];
  return words.length > 0 ? words.join(' ') : null;
}

/** `/filter +word -word`, `/filter clear`; words are stored normalised (script-insensitive). */
export async function filterCommand(deps: CommandDeps, ctx: CommandContext, args: string): Promise<Reply> {
  const l = ctx.chat.locale;
  const tokens = args.split(/[\s,，、]+/).filter(Boolean);
  if (tokens.length === 0) {
    const f = filtersText(ctx.chat);
    return textReply(f ? t(l, 'filter.set', { filters: f }) : t(l, 'filter.none'), t(l, 'filter.usage'));
  }
  if (tokens.length === 1 && ['clear', 'off', 'none', '清除'].includes(tokens[0]!.toLowerCase())) {
    await changeChat(deps, ctx, (c) => {
      c.include = [];
      c.exclude = [];
    });
    return textReply(t(l, 'filter.cleared'));
  }
  const include: string[] = [];
  const exclude: string[] = [];
  for (const token of tokens) {
    const sign = token[0] === '-' || token[0] === '－' ? '-' : '+';
    const word = normaliseForMatch(token.replace(/^[+\-＋－]/, ''));
    if (!word || [...word].length > LIMITS.wordChars) return textReply(t(l, 'filter.usage'));
    (sign === '-' ? exclude : include).push(word);
  }
  const chat = await changeChat(deps, ctx, (c) => {
    c.include = [...new Set([...c.include.filter((w) => !exclude.includes(w)), ...include])].slice(
      0,
      LIMITS.filterWords,
    );
    c.exclude = [...new Set([...c.exclude.filter((w) => !include.includes(w)), ...exclude])].slice(
      0,
      LIMITS.filterWords,
    );
  });
  return textReply(t(l, 'filter.set', { filters: filtersText(chat) ?? '—' }));
}

/** `/lang zh-Hans|zh-Hant|en` — answered in the new language. */
export async function langCommand(deps: CommandDeps, ctx: CommandContext, args: string): Promise<Reply> {
  const locale = parseLocale(args);
  if (!locale) return textReply(t(ctx.chat.locale, 'lang.usage'));
  const chat = await changeChat(deps, ctx, (c) => {
    c.locale = locale;
  });
  return textReply(t(chat.locale, 'lang.set'));
}
