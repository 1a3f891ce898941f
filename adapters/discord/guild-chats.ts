import type { ChatService, NewChat } from '../../src/chats/chat-service.ts';
import { chatKeyOf } from '../../src/domain/chat-key.ts';
import type { Chat, Locale } from '../../src/domain/types.ts';
import { localeFromTag, scriptFromTag } from '../../src/i18n/i18n.ts';

const CACHE_MS = 5_000;

/** The chat key of a guild (its shared settings) or of a channel. */
export const discordKey = (id: string): string => chatKeyOf('discord', id);

/**
 * A guild is a chat (`discord:<guildId>`, type `guild`) whose settings its channels follow; until
 * `/settings` saves one, its defaults come from the guild's preferred locale and the configured
 * zone. Reads for queries are cached a few seconds: every `/headlines` renders in the guild's
 * script and zone, and a burst of them should not each read the database.
 */
export class GuildChats {
  private readonly cache = new Map<string, { at: number; chat: Chat }>();

  constructor(
    private readonly chats: ChatService,
    private readonly defaults: { timezone: string; locale: Locale },
  ) {}

  /** What a new guild chat starts with. */
  newGuild(guildId: string, name: string | null, preferredLocale: string | null): NewChat {
    return {
      platform: 'discord',
      chatId: guildId,
      type: 'guild',
      title: name,
      locale: preferredLocale ? localeFromTag(preferredLocale, 'en') : this.defaults.locale,
      timezone: this.defaults.timezone,
      script: scriptFromTag(preferredLocale),
    };
  }

  /**
   * The guild's chat for reading (queries): stored, or defaults not stored. Direct messages (no
   * guild) read with the defaults of the member's locale.
   */
  async forQuery(guildId: string | null, preferredLocale: string | null): Promise<Chat> {
    const id = guildId ?? 'dm';
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.chat;
    const chat = await this.chats.peek(this.newGuild(id, null, preferredLocale));
    this.cache.set(id, { at: Date.now(), chat });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return chat;
  }

  /** The guild's chat, stored (admin commands change it or its channels). */
  ensure(guildId: string, name: string | null, preferredLocale: string | null): Promise<Chat> {
    return this.chats.ensure(this.newGuild(guildId, name, preferredLocale));
  }

  /** Forget a cached guild (after `/settings`). */
  invalidate(guildId: string): void {
    this.cache.delete(guildId);
  }
}
