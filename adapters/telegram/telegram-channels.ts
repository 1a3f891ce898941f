/**
 * Managing a Telegram channel from the private chat: which commands may name a channel
 * (`/list @news`, `/subscribe -1001234567890 …`, an OPML file captioned `@news`), how the channel is
 * named in answers, and how buttons on such an answer remember the channel they act on.
 */
import { MANAGE_COMMANDS } from '../../src/commands/command-router.ts';
import type { TgChat } from './telegram-access.ts';

/** A channel reference: `@username` or the channel's numeric id (`-100…`). */
const CHANNEL_REF = /^(?:@[A-Za-z0-9_]{4,64}|-100\d{5,15})$/;

/** Looks like an attempt at a channel reference (then a malformed one is refused, not read as text). */
const CHANNEL_LIKE = /^(?:@|-100)/;

/**
 * Commands that may name a channel in the private chat: those that change a chat, and those that
 * read a chat's own subscriptions. `/headlines @x` and `/search @x` stay searches.
 */
export const CHANNEL_COMMANDS: ReadonlySet<string> = new Set([
  ...MANAGE_COMMANDS,
  'list',
  'export',
  'digest',
  'sources',
]);

/** What the first word of a command's arguments says about a channel. */
export type ChannelArg =
  | { kind: 'none' }
  | { kind: 'channel'; ref: string; rest: string }
  | { kind: 'bad'; ref: string };

/** Read a leading channel reference off `args` (`@news 港聞台` → `@news`, `港聞台`). */
export function channelArg(args: string): ChannelArg {
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(args.trim());
  const first = m?.[1];
  if (!first || !CHANNEL_LIKE.test(first)) return { kind: 'none' };
  if (!CHANNEL_REF.test(first)) return { kind: 'bad', ref: first.slice(0, 70) };
  return { kind: 'channel', ref: first, rest: (m[2] ?? '').trim() };
}

/**
 * The channel an OPML file's caption names, if any: `@news`, `-100…`, or either after `/import`.
 * Any other caption imports into the chat the file was sent to.
 */
export function captionChannel(caption: string | undefined): ChannelArg {
  const text = (caption ?? '').trim().replace(/^\/import(?:@[A-Za-z0-9_]+)?(?:\s+|$)/i, '');
  return channelArg(text);
}

/** True when a channel post's caption asks for an import (`/import`, `/import@bot`). */
export function isImportCaption(caption: string | undefined, botUsername: string): boolean {
  const m = /^\/import(?:@([A-Za-z0-9_]+))?\s*$/i.exec((caption ?? '').trim());
  return m !== null && (m[1] === undefined || m[1].toLowerCase() === botUsername.toLowerCase());
}

/** How answers name a channel: `@username`, else its title, else its id. */
export function channelName(chat: TgChat): string {
  if (chat.username) return `@${chat.username}`;
  return chat.title?.trim().slice(0, 100) || String(chat.id);
}

/** Telegram's limit on callback data, in bytes. */
const CALLBACK_BYTES = 64;
const PREFIX = 'ch';

/**
 * Callback data of a button on an answer about a channel, so that a press acts on the channel and
 * not on the private chat the button sits in: `ch<channel id>:<action>`. Result pages and the page
 * counter read no chat and stay as they are; an action that would not fit in 64 bytes is null
 * (the button is left out rather than acting on the wrong chat).
 */
export function channelAction(channelId: string, action: string): string | null {
  if (action === 'noop' || action.startsWith('pg:')) return action;
  const data = `${PREFIX}${channelId}:${action}`;
  return Buffer.byteLength(data) <= CALLBACK_BYTES ? data : null;
}

/** The channel and action of callback data made by {@link channelAction}; null for other data. */
export function parseChannelAction(data: string): { channelId: string; action: string } | null {
  const m = /^ch(-100\d{5,15}):(.+)$/s.exec(data);
  return m ? { channelId: m[1]!, action: m[2]! } : null;
}
