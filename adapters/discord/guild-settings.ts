import type { Chat, Locale, Script } from '../../src/domain/types.ts';
import { type ChatStore, chatKeyOf } from '../../src/store/chat-store.ts';
import { localeFromDiscord, scriptFromDiscord } from './discord-locale.ts';

/** A guild's shared settings: its channels' feeds post in this language, script and time zone. */
export interface GuildSettings {
  locale: Locale;
  script: Script;
  timezone: string;
  digestTimes: string[];
}

const CACHE_MS = 5_000;

/**
 * Guild settings, stored as the guild's chat (`discord:<guildId>`, type `guild`) in the chat store;
 * until /settings saves one, they follow the guild's preferred locale and the configured time zone.
 * Reads are cached for a few seconds: every /headlines renders in the guild's script and zone.
 */
export class GuildSettingsStore {
  private readonly cache = new Map<string, { at: number; value: GuildSettings }>();

  constructor(
    private readonly chats: ChatStore,
    private readonly defaults: { timezone: string; locale: Locale },
  ) {}

  /** The key of a guild's chat. */
  static keyOf(guildId: string): string {
    return chatKeyOf('discord', guildId);
  }

  /** Settings of a guild (defaults from its preferred locale when none were saved). */
  async get(guildId: string | null, preferredLocale: string | null): Promise<GuildSettings> {
    if (guildId === null) return this.fallback(preferredLocale);
    const hit = this.cache.get(guildId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const chat = await this.chats.get(GuildSettingsStore.keyOf(guildId));
    const value = chat ? fromChat(chat) : this.fallback(preferredLocale);
    this.cache.set(guildId, { at: Date.now(), value });
    return value;
  }

  /** The guild's chat, created from the defaults when missing. */
  async ensureGuildChat(guildId: string, name: string | null, preferredLocale: string | null): Promise<Chat> {
    const d = this.fallback(preferredLocale);
    return this.chats.ensure({
      platform: 'discord',
      chatId: guildId,
      type: 'guild',
      title: name,
      locale: d.locale,
      timezone: d.timezone,
      script: d.script,
    });
  }

  /** Forget a cached value (after /settings). */
  invalidate(guildId: string): void {
    this.cache.delete(guildId);
  }

  private fallback(preferredLocale: string | null): GuildSettings {
    const locale = preferredLocale ? localeFromDiscord(preferredLocale) : this.defaults.locale;
    return {
      locale,
      script: scriptFromDiscord(preferredLocale),
      timezone: this.defaults.timezone,
      digestTimes: ['08:00'],
    };
  }
}

function fromChat(c: Chat): GuildSettings {
  return { locale: c.locale, script: c.script, timezone: c.timezone, digestTimes: c.digestTimes };
}
