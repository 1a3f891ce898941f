/**
 * A subscription's own settings: its filter words (on top of the chat's), its name, muting and
 * its item format. Telegram types them (`/filter <subscription> +a -b`, `/rename <subscription>
 * <name>`, `/mute <subscription>`, `/sub <subscription> format summary`); Discord has them as
 * `/feed filter|rename|mute|unmute|format` options. Both come here and get the same answers.
 */
import {
  CLEAR_WORDS,
  type FilterChange,
  parseFilterChange,
  parseSubscriptionFormat,
  parseSubscriptionName,
} from '../chats/chat-rules.ts';
import type { Subscription } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { filterText, stripInvisible } from '../text/filter-match.ts';
import { type CommandContext, type CommandServices, requireManager, say } from './command-context.ts';
import { type Reply, textReply } from './reply.ts';
import { chatFilterCommand, filtersText, formatName } from './settings-commands.ts';
import { subscriptionName } from './subscription-commands.ts';
import { findSubscription, splitSubscriptionRef, subscriptionNotFound } from './subscription-ref.ts';

type Services = CommandServices;

/** Changes made for another chat (Discord's `/feed … <channel>`) are answered to the asker only. */
const answer = (ctx: CommandContext, reply: Reply): Reply =>
  ctx.target ? { ...reply, private: true } : reply;

/** The subscription `ref` names, or the "not found" answer (with `usage` where commands are typed). */
async function requireSubscription(
  services: Services,
  ctx: CommandContext,
  ref: string,
  usage: string,
): Promise<Subscription> {
  const found = await findSubscription(services, ctx.chat, ref);
  if (!found) throw await subscriptionNotFound(services, ctx, ref, usage);
  return found;
}

async function subscriptionFilters(
  services: Services,
  ctx: CommandContext,
  sub: Subscription,
  change: FilterChange | null,
): Promise<Reply> {
  const name = await subscriptionName(services, ctx, sub);
  if (!change) {
    const f = filtersText(sub);
    const shown = f ? say(ctx, 'subfilter.set', { name, filters: f }) : say(ctx, 'subfilter.none', { name });
    return ctx.syntax === 'text' ? textReply(shown, say(ctx, 'filter.usage')) : textReply(shown);
  }
  requireManager(ctx);
  const chat = await services.chats.changeSubscriptionFilters(ctx.chat.key, sub.id, change);
  ctx.chat = chat;
  if (change.clear) return textReply(say(ctx, 'subfilter.cleared', { name }));
  const after = chat.subscriptions.find((s) => s.id === sub.id) ?? sub;
  return textReply(say(ctx, 'subfilter.set', { name, filters: filtersText(after) ?? '—' }));
}

/**
 * Filters of one subscription (`subscription` names it) or, when null, of the whole chat: `change`
 * applied, or shown when null (Discord's `/feed filter`).
 */
export async function feedFilterCommand(
  services: Services,
  ctx: CommandContext,
  subscription: string | null,
  change: FilterChange | null,
): Promise<Reply> {
  if (change) requireManager(ctx);
  if (subscription === null || !subscription.trim())
    return answer(ctx, await chatFilterCommand(services, ctx, change));
  const sub = await requireSubscription(services, ctx, subscription, 'filter.usage');
  return answer(ctx, await subscriptionFilters(services, ctx, sub, change));
}

/**
 * `/filter [<subscription>] [+word -word | clear]`: words after a subscription's name are its own
 * filters; anything else (`/filter +a -b`, `/filter clear`, a bare word) is the chat-wide filter.
 */
export async function filterTextCommand(
  services: Services,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  const text = stripInvisible(args).trim();
  const chatWide = !text || /^[+\-＋－]/.test(text) || CLEAR_WORDS.includes(text.toLowerCase());
  const found = chatWide ? null : await splitSubscriptionRef(services, ctx.chat, text);
  if (!found) {
    if (!text) return chatFilterCommand(services, ctx, null);
    requireManager(ctx);
    return chatFilterCommand(services, ctx, parseFilterChange(text));
  }
  if (found.rest) requireManager(ctx);
  return subscriptionFilters(
    services,
    ctx,
    found.subscription,
    found.rest ? parseFilterChange(found.rest) : null,
  );
}

/** The name a subscription has when the chat gave it none: the source's name, or the keyword. */
async function ownName(services: Services, sub: Subscription): Promise<string> {
  if (sub.kind === 'keyword') return sub.keyword ?? '';
  const id = sub.sourceId ?? '';
  return (await services.headlines.sourceNames([id])).get(id) ?? id;
}

async function rename(
  services: Services,
  ctx: CommandContext,
  sub: Subscription,
  typed: string,
): Promise<Reply> {
  const name = parseSubscriptionName(typed);
  const taken = await findSubscription(services, ctx.chat, name);
  if (taken && taken.id !== sub.id) throw new UserError('rename.taken', { name });
  const before = await subscriptionName(services, ctx, sub);
  // Renaming back to the source's name (or the keyword) drops the chat's own name.
  const own = await ownName(services, sub);
  const stored = filterText(name) === filterText(own) ? null : name;
  ctx.chat = await services.chats.renameSubscription(ctx.chat.key, sub.id, stored);
  return textReply(say(ctx, 'rename.done', { old: before, name: stored ?? own }));
}

/** `/feed rename <channel> <source> <name>` (Discord): the subscription and its new name, apart. */
export async function renameCommand(
  services: Services,
  ctx: CommandContext,
  subscription: string,
  name: string,
): Promise<Reply> {
  requireManager(ctx);
  if (!subscription.trim() || !name.trim()) throw new UserError('rename.usage');
  const sub = await requireSubscription(services, ctx, subscription, 'rename.usage');
  return answer(ctx, await rename(services, ctx, sub, name));
}

/** `/rename <subscription> <new name>`: the longest subscription name the text begins with, then the new name. */
export async function renameTextCommand(
  services: Services,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  requireManager(ctx);
  const text = args.trim();
  if (!text) throw new UserError('rename.usage');
  const found = await splitSubscriptionRef(services, ctx.chat, text);
  if (!found) throw await subscriptionNotFound(services, ctx, text, 'rename.usage');
  if (!found.rest) throw new UserError('rename.usage');
  return rename(services, ctx, found.subscription, found.rest);
}

/** `/mute <subscription>` and `/unmute <subscription>` (Discord: `/feed mute|unmute`). */
export async function muteCommand(
  services: Services,
  ctx: CommandContext,
  subscription: string,
  muted: boolean,
): Promise<Reply> {
  requireManager(ctx);
  if (!subscription.trim()) throw new UserError('mute.usage');
  const sub = await requireSubscription(services, ctx, subscription, 'mute.usage');
  ctx.chat = await services.chats.setMuted(ctx.chat.key, sub.id, muted);
  const name = await subscriptionName(services, ctx, sub);
  return answer(ctx, textReply(say(ctx, muted ? 'mute.done' : 'mute.undone', { name })));
}

/** A subscription's format answer: its own, or the chat's it follows. */
function formatAnswer(ctx: CommandContext, sub: Subscription, name: string, changed: boolean): Reply {
  const own = sub.format ?? null;
  const format = formatName(ctx, own ?? ctx.chat.itemFormat ?? 'titles');
  if (own === null)
    return textReply(say(ctx, changed ? 'subformat.cleared' : 'subformat.followsChat', { name, format }));
  return textReply(say(ctx, changed ? 'subformat.set' : 'subformat.show', { name, format }));
}

/**
 * The item format of one subscription: `value` applied (`default` gives it back the chat's), or
 * shown when null (Telegram's `/sub <subscription> format …`, Discord's `/feed format`).
 */
export async function subscriptionFormatCommand(
  services: Services,
  ctx: CommandContext,
  subscription: string,
  value: string | null,
): Promise<Reply> {
  if (value !== null) requireManager(ctx);
  if (!subscription.trim()) throw new UserError('subformat.usage');
  const sub = await requireSubscription(services, ctx, subscription, 'subformat.usage');
  return answer(ctx, await subscriptionFormat(services, ctx, sub, value));
}

async function subscriptionFormat(
  services: Services,
  ctx: CommandContext,
  sub: Subscription,
  value: string | null,
): Promise<Reply> {
  const name = await subscriptionName(services, ctx, sub);
  if (value === null) return formatAnswer(ctx, sub, name, false);
  requireManager(ctx);
  const format = parseSubscriptionFormat(value);
  ctx.chat = await services.chats.setSubscriptionFormat(ctx.chat.key, sub.id, format);
  const after = ctx.chat.subscriptions.find((s) => s.id === sub.id) ?? { ...sub, format };
  return formatAnswer(ctx, after, name, true);
}

/**
 * `/sub <subscription> [format <titles|summary|full|default>]`: the longest subscription name
 * the text begins with, then the setting; with no setting, shows the subscription's format.
 */
export async function subTextCommand(services: Services, ctx: CommandContext, args: string): Promise<Reply> {
  const text = stripInvisible(args).trim();
  if (!text) throw new UserError('subformat.usage');
  const found = await splitSubscriptionRef(services, ctx.chat, text);
  if (!found) throw await subscriptionNotFound(services, ctx, text, 'subformat.usage');
  const [setting = '', ...rest] = found.rest.split(/\s+/).filter(Boolean);
  if (!setting) return subscriptionFormat(services, ctx, found.subscription, null);
  if (!['format', '格式'].includes(setting.toLowerCase())) throw new UserError('subformat.usage');
  return subscriptionFormat(services, ctx, found.subscription, rest.join(' '));
}
