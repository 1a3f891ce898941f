import { ChannelType, type Client, type ForumChannel, type SendableChannels } from 'discord.js';
import type { PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import type { Logger } from '../../src/log.ts';
import { redactSecrets } from '../../src/log.ts';
import type { ChatStore } from '../../src/store/chat-store.ts';
import { dt } from './discord-strings.ts';
import { LIMITS, NO_MENTIONS, truncate } from './embed-limits.ts';
import { permanentReason, translateDiscordError } from './error-translation.ts';
import { type DiscordPart, renderOutgoing } from './outgoing-embeds.ts';

/** What the sender needs. */
export interface DiscordSenderDeps {
  client: Client;
  chats: ChatStore;
  log: Logger;
}

/**
 * The Discord {@link PlatformSender}: renders a delivery into embed messages and posts one part
 * per call to the chat's channel (or thread; a forum gets one post per delivery). discord.js keeps
 * Discord's per-route buckets; the delivery queue's limiter adds the global cap. Errors become
 * {@link DeliveryError}s; a deleted channel or a missing permission pauses that channel's feeds
 * (the chat is deactivated) and the guild's admins are told once.
 */
export class DiscordSender implements PlatformSender {
  readonly platform = 'discord' as const;
  private readonly forumPosts = new Map<string, string>();
  private readonly told = new Set<string>();

  constructor(private readonly deps: DiscordSenderDeps) {}

  partCount(_chat: Chat, msg: OutgoingMessage): number {
    return renderOutgoing(msg).length;
  }

  async sendPart(chat: Chat, msg: OutgoingMessage, part: number): Promise<void> {
    const parts = renderOutgoing(msg);
    const body = parts[part];
    if (!body) throw new DeliveryError(`part ${part} of ${parts.length} does not exist`, { permanent: true });
    const channelId = msg.threadId ?? chat.chatId;
    try {
      await this.post(channelId, chat, msg, part, body);
    } catch (err) {
      const e = translateDiscordError(err);
      if (e.permanent && typeof e.params.reason === 'string' && e.params.reason !== 'rejected') {
        await this.pause(chat, e.params.reason, channelId);
      }
      throw e;
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
      throw new DeliveryError(`channel ${channelId} cannot receive messages`, {
        permanent: true,
        params: { reason: 'not_text' },
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
    if (!threadId)
      throw new DeliveryError(`forum post for "${name}" not found`, {
        permanent: true,
        params: { reason: 'rejected' },
      });
    const thread = await this.deps.client.channels.fetch(threadId);
    if (!thread?.isSendable()) throw new DeliveryError('forum post is not sendable', { permanent: true });
    await thread.send(payload);
  }

  /** Deactivate the chat (its feeds stop without retries) and tell the guild's admins once. */
  private async pause(chat: Chat, reason: string, channelId: string): Promise<void> {
    await this.deps.chats
      .deactivate(chat.key, reason)
      .catch((err: unknown) =>
        this.deps.log.warn(
          { err: redactSecrets(String(err)), chat: chat.key },
          'could not pause discord chat',
        ),
      );
    if (this.told.has(chat.key)) return;
    this.told.add(chat.key);
    await this.tellAdmins(chat, reason, channelId).catch((err: unknown) =>
      this.deps.log.info(
        { err: redactSecrets(String(err)), chat: chat.key },
        'could not tell discord admins',
      ),
    );
  }

  private async tellAdmins(chat: Chat, reason: string, channelId: string): Promise<void> {
    const guildId = chat.parentKey?.startsWith('discord:') ? chat.parentKey.slice('discord:'.length) : null;
    const guild = guildId ? this.deps.client.guilds.cache.get(guildId) : undefined;
    if (!guild) return;
    const key =
      reason === 'channel_deleted'
        ? 'reasonDeleted'
        : reason === 'missing_access'
          ? 'reasonAccess'
          : reason === 'missing_permissions'
            ? 'reasonPermissions'
            : 'reasonOther';
    const text = dt(chat.locale, 'feedPausedNotice', {
      channel: `<#${channelId}>`,
      reason: dt(chat.locale, key),
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
