/**
 * `/feed filter|rename|mute|unmute|format` → the same command functions as Telegram's `/filter`,
 * `/rename`, `/mute`, `/unmute` and `/sub … format`. Only Discord's options are read here; rights
 * are checked in the channel the command names.
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import { parseFilterLists } from '../../src/chats/chat-rules.ts';
import { requireManager } from '../../src/commands/command-context.ts';
import type { Reply } from '../../src/commands/reply.ts';
import {
  feedFilterCommand,
  muteCommand,
  renameCommand,
  subscriptionFormatCommand,
} from '../../src/commands/subscription-settings-commands.ts';
import {
  contextFor,
  ensureChannelChat,
  guildIdOf,
  mention,
  peekChannelChat,
  type SlashDeps,
  targetChannel,
} from './slash-commands.ts';

/** The channel named by the command, its chat (stored only when `store`), and a context for it. */
async function channelContext(deps: SlashDeps, i: ChatInputCommandInteraction, store: boolean) {
  const guildId = guildIdOf(i);
  const { channel, canManage } = targetChannel(i);
  requireManager({ canManage, refusal: 'admin.manageChannels' });
  const chat = store
    ? await ensureChannelChat(deps, i, guildId, channel)
    : await peekChannelChat(deps, guildId, channel.id);
  return contextFor(i, chat, canManage, mention(channel.id));
}

/**
 * `/feed filter <channel> [source] [include] [exclude] [clear]`: the filter words of one of the
 * channel's sources, or of the whole channel without `source`; shown when nothing else is given.
 */
export async function feedFilter(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const source = i.options.getString('source');
  const change = parseFilterLists({
    include: i.options.getString('include'),
    exclude: i.options.getString('exclude'),
    clear: i.options.getBoolean('clear') ?? false,
  });
  // Channel-wide words may be set before the channel has a feed: then its chat is created.
  const ctx = await channelContext(deps, i, source === null && change !== null);
  return feedFilterCommand(deps.services, ctx, source, change);
}

/** `/feed rename <channel> <source> <name>` */
export async function feedRename(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const ctx = await channelContext(deps, i, false);
  return renameCommand(
    deps.services,
    ctx,
    i.options.getString('source', true),
    i.options.getString('name', true),
  );
}

/** `/feed mute <channel> <source>` and `/feed unmute <channel> <source>` */
export async function feedMute(
  deps: SlashDeps,
  i: ChatInputCommandInteraction,
  muted: boolean,
): Promise<Reply> {
  const ctx = await channelContext(deps, i, false);
  return muteCommand(deps.services, ctx, i.options.getString('source', true), muted);
}

/** `/feed format <channel> <source> [format]`: a source's item format in that channel (shown without `format`). */
export async function feedFormat(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const ctx = await channelContext(deps, i, false);
  return subscriptionFormatCommand(
    deps.services,
    ctx,
    i.options.getString('source', true),
    i.options.getString('format'),
  );
}
