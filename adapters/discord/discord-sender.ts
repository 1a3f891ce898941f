import { ChannelType, type Client, type ForumChannel, type SendableChannels } from 'discord.js';
import type { PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import { t } from '../../src/i18n/i18n.ts';
import { LIMITS, NO_MENTIONS, truncate } from './embed-limits.ts';
import { translateDiscordError } from './error-translation.ts';
import { type DiscordPart, renderOutgoing } from './outgoing-embeds.ts';

/** What the sender needs. */
export interface DiscordSenderDeps {
  client: Client;
}

/**
 * The Discord {@link PlatformSender}: renders a delivery into embed messages and posts one part
 * per call to the chat's channel (or thread; a forum gets one post per delivery). discord.js keeps
 * Discord's per-route buckets; the delivery queue's limiter adds the global cap. Errors become
 * {@link DeliveryError}s of a kind; when the core pauses a channel after a `chat_gone` failure,
 * {@link chatGone} tells the guild's admins.
 */
export class DiscordSender implements PlatformSender {
  readonly platform = 'discord' as const;
  private readonly forumPosts = new Map<string, string>();

  constructor(private readonly deps: DiscordSenderDeps) {}

  partCount(_chat: Chat, msg: OutgoingMessage): number {
    return renderOutgoing(msg).length;
  }

  async sendPart(chat: Chat, msg: OutgoingMessage, part: number): Promise<void> {
    const parts = renderOutgoing(msg);
    const body = parts[part];
    if (!body) throw new DeliveryError('rejected', `part ${part} of ${parts.length} does not exist`);
    const channelId = msg.threadId ?? chat.chatId;
    try {
      await this.post(channelId, chat, msg, part, body);
    } catch (err) {
      throw translateDiscordError(err);
    }
  }

  private async post(
    channelId: string,
    chat: Chat,
    msg: OutgoingMessage,
    part: number,
    body: DiscordPart,
  ): Promise<void> {
    const payload = { content: body.content, embeds: body.embeds, allowedMentions: NO_MENTIONS };
    const cached = this.deps.client.channels.cache.get(channelId);
    if (cached?.type === ChannelType.GuildForum) {
      await this.postToForum(cached, chat, msg, part, payload);
      return;
    }
    const channel = cached ?? (await this.deps.client.channels.fetch(channelId));
    if (!channel?.isSendable()) {
      throw new DeliveryError('chat_gone', `channel ${channelId} cannot receive messages`, {
        reason: 'not_text',
      });
    }
    await (channel as SendableChannels).send(payload);
  }

  /** Forum channels take posts (threads): part 0 opens one named after the heading, later parts reply in it. */
  private async postToForum(
    forum: ForumChannel,
    chat: Chat,
    msg: OutgoingMessage,
    part: number,
    payload: { content: string; embeds: DiscordPart['embeds']; allowedMentions: typeof NO_MENTIONS },
  ): Promise<void> {
    const name = truncate(msg.heading || 'newsrelay', LIMITS.choiceName);
    const key = `${chat.key}|${msg.heading}`;
    if (part === 0) {
      const thread = await forum.threads.create({ name, message: payload });
      this.forumPosts.set(key, thread.id);
      return;
    }
    let threadId = this.forumPosts.get(key);
    if (!threadId) {
      const active = await forum.threads.fetchActive();
      threadId = active.threads.find((t) => t.parentId === forum.id && t.name === name)?.id;
    }
    if (!threadId) throw new DeliveryError('rejected', `forum post for "${name}" not found`);
    const thread = await this.deps.client.channels.fetch(threadId);
    if (!thread?.isSendable()) throw new DeliveryError('rejected', 'forum post is not sendable');
    await thread.send(payload);
  }

  /** The core paused this channel's feeds: tell the guild (its system channel, else its owner). */
  async chatGone(chat: Chat, reason: string): Promise<void> {
    await this.tellAdmins(chat, reason, chat.chatId);
  }

  private async tellAdmins(chat: Chat, reason: string, channelId: string): Promise<void> {
    const guildId = chat.parentKey?.startsWith('discord:') ? chat.parentKey.slice('discord:'.length) : null;
    const guild = guildId ? this.deps.client.guilds.cache.get(guildId) : undefined;
    if (!guild) return;
    const key =
      reason === 'channel_deleted'
        ? 'feed.reasonDeleted'
        : reason === 'missing_access'
          ? 'feed.reasonAccess'
          : reason === 'missing_permissions'
            ? 'feed.reasonPermissions'
            : 'feed.reasonOther';
    const text = t(chat.locale, 'feed.pausedNotice', {
      channel: `<#${channelId}>`,
      reason: t(chat.locale, key),
    });
    const payload = { content: text, allowedMentions: NO_MENTIONS };
    const system = guild.systemChannel;
    if (system && system.id !== channelId) {
      const ok = await system.send(payload).then(
        () => true,
        () => false,
      );
      if (ok) return;
    }
    await this.deps.client.users.send(guild.ownerId, payload);
  }
}
