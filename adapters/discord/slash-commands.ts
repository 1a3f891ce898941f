/**
 * Slash commands → the core's commands. This file only translates: it reads Discord's options,
 * resolves the chat a command is about and the member's rights in it (in the target channel for
 * `/feed`), and calls the same command functions Telegram's text commands call.
 */
import {
  ChannelType,
  type ChatInputCommandInteraction,
  type Client,
  type GuildBasedChannel,
  PermissionFlagsBits,
  type PermissionsBitField,
} from 'discord.js';
import type { CommandContext, CommandServices } from '../../src/commands/command-context.ts';
import { requireManager } from '../../src/commands/command-context.ts';
import { articleCommand, headlinesCommand, sourcesHealthCommand } from '../../src/commands/news-commands.ts';
import type { Reply } from '../../src/commands/reply.ts';
import { settingsCommand } from '../../src/commands/settings-commands.ts';
import { storyCommand } from '../../src/commands/story-commands.ts';
import {
  feedListCommand,
  subscribeCommand,
  unsubscribeCommand,
} from '../../src/commands/subscription-commands.ts';
import type { Chat } from '../../src/domain/types.ts';
import { UserError } from '../../src/errors.ts';
import { localeFromTag } from '../../src/i18n/i18n.ts';
import { FEED_CHANNEL_TYPES } from './command-definitions.ts';
import { discordKey, type GuildChats } from './guild-chats.ts';

/** What the slash commands need. */
export interface SlashDeps {
  services: CommandServices;
  client: Client;
  guilds: GuildChats;
}

/** Headlines per page when `/headlines` does not say. */
export const DEFAULT_PAGE_SIZE = 5;

const MANAGE = [PermissionFlagsBits.ManageChannels, PermissionFlagsBits.ManageGuild];
/** How a reply names a channel. */
export const mention = (channelId: string) => `<#${channelId}>`;

/** The reply language of an interaction: the member's client locale (English for any other). */
export const replyLocale = (i: { locale: string }) => localeFromTag(i.locale, 'en');

/** A context for `chat`, answered in the member's language. */
export function contextFor(
  i: { locale: string; user?: { id: string } },
  chat: Chat,
  canManage: boolean,
  target: string | null,
): CommandContext {
  return {
    actor: i.user ? `discord:${i.user.id}` : null,
    chat,
    locale: replyLocale(i),
    canManage,
    refusal: 'admin.manageChannels',
    threadId: null,
    target,
    syntax: 'options',
  };
}

const mayManage = (perms: Readonly<PermissionsBitField> | null | undefined) => Boolean(perms?.any(MANAGE));

/** The guild of an interaction; `admin.guildOnly` outside one. */
export function guildIdOf(i: ChatInputCommandInteraction): string {
  if (!i.inGuild()) throw new UserError('admin.guildOnly');
  return i.guildId;
}

function checkBotCanPost(client: Client, channelId: string): void {
  const ch = client.channels.cache.get(channelId) as GuildBasedChannel | undefined;
  const me = ch?.guild.members.me;
  if (!ch || !me) return; // not cached: the first post will tell
  const send = ch.isThread() ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  const needed = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.EmbedLinks, send];
  if (ch.type === ChannelType.GuildForum) needed.push(PermissionFlagsBits.CreatePublicThreads);
  if (!ch.permissionsFor(me)?.has(needed))
    throw new UserError('feed.botCannotPost', { channel: mention(channelId) });
}

/**
 * The channel of `/feed add|remove|filter|…` and whether the member may manage it: Discord resolves the
 * member's permissions in that channel (overwrites included), so a right held only in the channel
 * the command is typed in does not count.
 */
export function targetChannel(i: ChatInputCommandInteraction) {
  const channel = i.options.getChannel('channel', true);
  const perms =
    'permissions' in channel ? (channel.permissions as Readonly<PermissionsBitField> | null) : null;
  return { channel, canManage: mayManage(perms ?? i.memberPermissions) };
}

/** Refuses channels that cannot carry feeds (voice, categories, …). */
function assertFeedChannel(channel: { type: number }): void {
  if (!(FEED_CHANNEL_TYPES as readonly number[]).includes(channel.type))
    throw new UserError('feed.notTextChannel');
}

/** The stored chat of a channel, or one with defaults that is not stored (nothing to change yet). */
export function peekChannelChat(deps: SlashDeps, guildId: string, channelId: string): Promise<Chat> {
  return deps.services.chats.peek({
    platform: 'discord',
    chatId: channelId,
    type: 'guild-channel',
    parentKey: discordKey(guildId),
    locale: 'en',
    timezone: 'UTC',
  });
}

/**
 * The chat of a feed channel, stored with the guild's settings (created when new); refuses
 * channels that cannot carry feeds.
 */
export async function ensureChannelChat(
  deps: SlashDeps,
  i: ChatInputCommandInteraction,
  guildId: string,
  channel: ReturnType<typeof targetChannel>['channel'],
): Promise<Chat> {
  assertFeedChannel(channel);
  const guild = await deps.guilds.ensure(guildId, i.guild?.name ?? null, i.guildLocale);
  const chats = deps.services.chats;
  await chats.ensure({
    platform: 'discord',
    chatId: channel.id,
    type: 'guild-channel',
    title: 'name' in channel ? (channel.name ?? null) : null,
    parentKey: guild.key,
    locale: guild.locale,
    timezone: guild.timezone,
    script: guild.script,
  });
  return chats.inheritSettings(discordKey(channel.id), guild);
}

/** `/feed add <channel> <source> [mode]` */
export async function feedAdd(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const guildId = guildIdOf(i);
  const { channel, canManage } = targetChannel(i);
  requireManager({ canManage, refusal: 'admin.manageChannels' });
  assertFeedChannel(channel);
  checkBotCanPost(deps.client, channel.id);
  const chat = await ensureChannelChat(deps, i, guildId, channel);
  const instant = (i.options.getString('mode') ?? 'instant') === 'instant';
  return subscribeCommand(
    deps.services,
    contextFor(i, chat, canManage, mention(channel.id)),
    i.options.getString('source', true),
    {
      instant,
      allowKeyword: false,
    },
  );
}

/** `/feed remove <channel> <source>` */
export async function feedRemove(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const guildId = guildIdOf(i);
  const { channel, canManage } = targetChannel(i);
  requireManager({ canManage, refusal: 'admin.manageChannels' });
  const chat = await peekChannelChat(deps, guildId, channel.id);
  const ctx = contextFor(i, chat, canManage, mention(channel.id));
  return unsubscribeCommand(deps.services, ctx, i.options.getString('source', true));
}

/** `/feed list [channel]` — every channel feed of the guild. */
export async function feedList(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const guildId = guildIdOf(i);
  const guild = await deps.guilds.forQuery(guildId, i.guildLocale);
  const ctx = contextFor(i, guild, mayManage(i.memberPermissions), null);
  return feedListCommand(deps.services, ctx, {
    parentKey: discordKey(guildId),
    onlyChatId: i.options.getChannel('channel')?.id ?? null,
    label: (c) => mention(c.chatId),
  });
}

/**
 * `/settings [language] [script] [timezone] [digest_times] [format] [previews]` — the guild's and
 * its channels'.
 */
export async function settings(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const guildId = guildIdOf(i);
  const canManage = mayManage(i.memberPermissions);
  requireManager({ canManage, refusal: 'admin.manageChannels' });
  const guild = await deps.guilds.ensure(guildId, i.guild?.name ?? null, i.guildLocale);
  try {
    return await settingsCommand(deps.services, contextFor(i, guild, canManage, null), {
      language: i.options.getString('language'),
      script: i.options.getString('script'),
      timezone: i.options.getString('timezone'),
      times: i.options.getString('digest_times'),
      format: i.options.getString('format'),
      previews: i.options.getBoolean('previews'),
    });
  } finally {
    deps.guilds.invalidate(guildId);
  }
}

async function queryContext(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<CommandContext> {
  return contextFor(i, await deps.guilds.forQuery(i.guildId, i.guildLocale), false, null);
}

/** `/headlines [source] [since] [limit]` */
export async function headlines(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  return headlinesCommand(
    deps.services,
    await queryContext(deps, i),
    {
      query: null,
      source: i.options.getString('source'),
      since: i.options.getString('since'),
      limit: i.options.getInteger('limit') ?? DEFAULT_PAGE_SIZE,
    },
    false,
  );
}

/** `/search <query> [source] [since]` */
export async function search(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  return headlinesCommand(
    deps.services,
    await queryContext(deps, i),
    {
      query: i.options.getString('query', true),
      source: i.options.getString('source'),
      since: i.options.getString('since'),
      limit: DEFAULT_PAGE_SIZE,
    },
    true,
  );
}

/** `/sources` — every source with its health. */
export async function sources(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  return sourcesHealthCommand(deps.services, await queryContext(deps, i));
}

/** `/story <article>`: an article id or a number of the last result list. */
export async function story(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  return storyCommand(deps.services, await queryContext(deps, i), i.options.getString('article', true));
}

/** `/article <id>` */
export async function article(deps: SlashDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  return articleCommand(deps.services, await queryContext(deps, i), i.options.getString('id', true));
}
