import {
  type APIChannel,
  ChannelType,
  type Client,
  type REST,
  type RESTPostAPIChannelMessageJSONBody,
  Routes,
} from 'discord.js';
import type { ChatTarget, DeliveryPlace, PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import { t } from '../../src/i18n/i18n.ts';
import { NO_MENTIONS } from './embed-limits.ts';
import { translateDiscordError } from './error-translation.ts';
import { postToForum } from './forum-posting.ts';
import { renderOutgoing } from './outgoing-embeds.ts';

/** Channel types a message is posted to directly. */
const MESSAGE_TYPES: ReadonlySet<ChannelType> = new Set([
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
  ChannelType.DM,
  ChannelType.GroupDM,
]);

/** Channel types that take posts (threads) rather than messages. */
const FORUM_TYPES: ReadonlySet<ChannelType> = new Set([ChannelType.GuildForum, ChannelType.GuildMedia]);

/** Channel types remembered without the gateway's cache, at most. */
const TYPE_CACHE = 10_000;

/** What the sender needs. */
export interface DiscordSenderDeps {
  /** The gateway client: its channel cache when it has one, and the guild to tell about a paused feed. */
  client: Client;
  /** Sends: holds the token whether or not the gateway is connected (worker processes). */
  rest: REST;
}

/**
 * The Discord {@link PlatformSender}: renders a delivery into embed messages and posts one part
 * per call to the chat's channel or thread; a forum gets one post per delivery
 * (`forum-posting.ts`). It sends over discord.js's REST client alone, so a worker process without
 * the gateway session delivers too. discord.js keeps Discord's per-route buckets; the delivery
 * queue's limiter adds the global cap. Errors become
 * {@link DeliveryError}s of a kind; when the core pauses a channel after a `chat_gone` failure,
 * {@link chatGone} tells the guild's admins.
 */
export class DiscordSender implements PlatformSender {
  readonly platform = 'discord' as const;
  private readonly types = new Map<string, ChannelType>();

  constructor(private readonly deps: DiscordSenderDeps) {}

  partCount(_chat: ChatTarget, msg: OutgoingMessage): number {
    return renderOutgoing(msg).length;
  }

  async sendPart(chat: ChatTarget, msg: OutgoingMessage, part: number, place?: DeliveryPlace): Promise<void> {
    const parts = renderOutgoing(msg);
    const rendered = parts[part];
    if (!rendered) throw new DeliveryError('rejected', `part ${part} of ${parts.length} does not exist`);
    const channelId = msg.threadId ?? chat.chatId;
    const body: RESTPostAPIChannelMessageJSONBody = {
      content: rendered.content,
      embeds: rendered.embeds,
      allowed_mentions: NO_MENTIONS,
    };
    const rest = this.deps.rest;
    try {
      const type = await this.typeOf(channelId);
      if (FORUM_TYPES.has(type)) {
        await postToForum(rest, channelId, msg, part, body, place);
        return;
      }
      if (!MESSAGE_TYPES.has(type)) {
        throw new DeliveryError('chat_gone', `channel ${channelId} cannot receive messages`, {
          reason: 'not_text',
        });
      }
      await rest.post(Routes.channelMessages(channelId), { body });
    } catch (err) {
      throw translateDiscordError(err);
    }
  }

  /** A channel's type: from the gateway's cache, else asked once over REST (worker processes have no cache). */
  private async typeOf(id: string): Promise<ChannelType> {
    const known = this.deps.client.channels.cache.get(id)?.type ?? this.types.get(id);
    if (known !== undefined) return known;
    const data = (await this.deps.rest.get(Routes.channel(id))) as APIChannel;
    if (this.types.size >= TYPE_CACHE) this.types.clear();
    this.types.set(id, data.type);
    return data.type;
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
            : reason === 'tag_required'
              ? 'feed.reasonTagRequired'
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
