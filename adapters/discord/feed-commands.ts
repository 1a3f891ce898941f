import { randomUUID } from 'node:crypto';
import {
  type APIEmbed,
  ChannelType,
  type ChatInputCommandInteraction,
  type Client,
  type GuildBasedChannel,
  PermissionFlagsBits,
} from 'discord.js';
import type { Core } from '../../src/core.ts';
import type { ChatSchedulePort } from '../../src/delivery/platform-sender.ts';
import type { Chat } from '../../src/domain/types.ts';
import { type ChatStore, chatKeyOf } from '../../src/store/chat-store.ts';
import { FEED_CHANNEL_TYPES } from './command-definitions.ts';
import { localeFromDiscord } from './discord-locale.ts';
import { dt } from './discord-strings.ts';
import { escapeMarkdown, LIMITS, truncate } from './embed-limits.ts';
import { GuildSettingsStore } from './guild-settings.ts';
import { EMBED_COLOUR } from './headline-embeds.ts';
import type { Reply } from './interaction-reply.ts';
import { UserFacingError } from './user-error.ts';

/** What /feed and /settings need. */
export interface AdminDeps {
  core: Core;
  client: Client;
  chats: ChatStore;
  guilds: GuildSettingsStore;
  /** Keeps digest schedules in step (jobs/); optional so the adapter runs without the scheduler role. */
  schedules?: ChatSchedulePort | undefined;
}

/** Throw `forbidden` unless the member may manage channels or the server. */
export function requireManager(i: ChatInputCommandInteraction): string {
  if (!i.inGuild()) throw new UserFacingError('guildOnly');
  const perms = i.memberPermissions;
  if (!perms?.any([PermissionFlagsBits.ManageChannels, PermissionFlagsBits.ManageGuild])) {
    throw new UserFacingError('forbidden');
  }
  return i.guildId;
}

/** Channel chats of a guild (admin commands only: a scan of the chat collection). */
export async function guildChannelChats(chats: ChatStore, guildId: string): Promise<Chat[]> {
  const parent = GuildSettingsStore.keyOf(guildId);
  return (await chats.list()).filter((c) => c.platform === 'discord' && c.parentKey === parent);
}

const mention = (channelId: string) => `<#${channelId}>`;

function checkBotCanPost(client: Client, channelId: string): void {
  const ch = client.channels.cache.get(channelId) as GuildBasedChannel | undefined;
  const me = ch?.guild.members.me;
  if (!ch || !me) return; // not cached: the first post will tell
  const send = ch.isThread() ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  const needed = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.EmbedLinks, send];
  if (ch.type === ChannelType.GuildForum) needed.push(PermissionFlagsBits.CreatePublicThreads);
  if (!ch.permissionsFor(me)?.has(needed))
    throw new UserFacingError('botCannotPost', { channel: mention(channelId) });
}

async function findOrAddSource(deps: AdminDeps, ref: string, owner: string) {
  const found = await deps.core.sources.find(ref.trim());
  if (found) return found;
  if (/^https?:\/\//i.test(ref.trim()))
    return (await deps.core.sourceService.add(ref.trim(), { owner })).source;
  throw new UserFacingError('unknownSource', { source: truncate(escapeMarkdown(ref), 100) });
}

/** /feed add <channel> <source> [mode]: attach a source (existing, or a feed URL added now) to a channel. */
export async function feedAdd(deps: AdminDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const guildId = requireManager(i);
  const locale = localeFromDiscord(i.locale);
  const channel = i.options.getChannel('channel', true);
  if (!(FEED_CHANNEL_TYPES as readonly number[]).includes(channel.type))
    throw new UserFacingError('notTextChannel');
  checkBotCanPost(deps.client, channel.id);
  const chatKey = chatKeyOf('discord', channel.id);
  const source = await findOrAddSource(deps, i.options.getString('source', true), chatKey);
  const instant = (i.options.getString('mode') ?? 'instant') === 'instant';
  const guildChat = await deps.guilds.ensureGuildChat(guildId, i.guild?.name ?? null, i.guildLocale);
  const existing = await deps.chats.get(chatKey);
  await deps.chats.ensure({
    platform: 'discord',
    chatId: channel.id,
    type: 'guild-channel',
    title: 'name' in channel ? (channel.name ?? null) : null,
    parentKey: guildChat.key,
    locale: guildChat.locale,
    timezone: guildChat.timezone,
    script: guildChat.script,
  });
  let already = false;
  const res = await deps.chats.update(chatKey, (c) => {
    const sub = c.subscriptions.find((s) => s.kind === 'source' && s.sourceId === source.id);
    already = Boolean(sub && sub.instant === instant && c.active);
    if (sub) sub.instant = instant;
    else {
      c.subscriptions.push({
        id: randomUUID(),
        kind: 'source',
        sourceId: source.id,
        keyword: null,
        instant,
        threadId: null,
        createdAt: new Date(),
      });
    }
    // Adding a feed again is how an admin resumes a channel that was paused after a failure.
    c.active = true;
    c.deactivatedReason = null;
    c.locale = guildChat.locale;
    c.script = guildChat.script;
    c.timezone = guildChat.timezone;
    c.digestTimes = guildChat.digestTimes;
  });
  if (res) await deps.schedules?.sync(existing ? res.before : null, res.after);
  const params = { source: truncate(escapeMarkdown(source.name), 100), channel: mention(channel.id) };
  if (already) return { content: dt(locale, 'feedExists', params), ephemeral: true };
  const mode = dt(locale, instant ? 'modeInstant' : 'modeDigest');
  return { content: dt(locale, 'feedAdded', { ...params, mode }), ephemeral: true };
}

/** /feed remove <channel> <source> */
export async function feedRemove(deps: AdminDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  requireManager(i);
  const locale = localeFromDiscord(i.locale);
  const channel = i.options.getChannel('channel', true);
  const ref = i.options.getString('source', true).trim();
  const source = await deps.core.sources.find(ref);
  const params = { source: truncate(escapeMarkdown(source?.name ?? ref), 100), channel: mention(channel.id) };
  const chatKey = chatKeyOf('discord', channel.id);
  let removed = false;
  const res = source
    ? await deps.chats.update(chatKey, (c) => {
        const before = c.subscriptions.length;
        c.subscriptions = c.subscriptions.filter((s) => !(s.kind === 'source' && s.sourceId === source.id));
        removed = c.subscriptions.length < before;
      })
    : null;
  if (!res || !removed) return { content: dt(locale, 'feedMissing', params), ephemeral: true };
  await deps.schedules?.sync(res.before, res.after);
  return { content: dt(locale, 'feedRemoved', params), ephemeral: true };
}

/** /feed list [channel]: the guild's channel feeds, with paused ones marked. */
export async function feedList(deps: AdminDeps, i: ChatInputCommandInteraction): Promise<Reply> {
  const guildId = requireManager(i);
  const locale = localeFromDiscord(i.locale);
  const only = i.options.getChannel('channel')?.id;
  const chats = (await guildChannelChats(deps.chats, guildId)).filter(
    (c) => c.subscriptions.length > 0 && (!only || c.chatId === only),
  );
  if (chats.length === 0) return { content: dt(locale, 'feedListEmpty'), ephemeral: true };
  const names = await deps.core.headlines.sourceNames();
  const lines = chats.map((c) => {
    const subs = c.subscriptions
      .filter((s) => s.kind === 'source' && s.sourceId)
      .map(
        (s) =>
          `${escapeMarkdown(names.get(s.sourceId!) ?? s.sourceId!)} (${dt(locale, s.instant ? 'modeInstant' : 'modeDigest')})`,
      );
    const paused = c.active
      ? ''
      : dt(locale, 'feedPaused', { reason: escapeMarkdown(c.deactivatedReason ?? '') });
    return `${mention(c.chatId)}${paused}: ${subs.join('、')}`;
  });
  const embed: APIEmbed = {
    title: dt(locale, 'feedListTitle'),
    description: truncate(lines.join('\n'), LIMITS.description),
    color: EMBED_COLOUR,
  };
  return { embeds: [embed], ephemeral: true };
}
