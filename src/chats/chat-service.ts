import { randomUUID } from 'node:crypto';
import type { ChatSchedulePort } from '../delivery/platform-sender.ts';
import { chatKeyOf } from '../domain/chat-key.ts';
import type { Chat, ChatType, ItemFormat, Locale, SavedChat, Script, Subscription } from '../domain/types.ts';
import { NewsrelayError, UserError } from '../errors.ts';
import {
  type ChatStore,
  type DigestGroupMark,
  type DigestMark,
  type NewChat,
  newChat,
} from '../store/chat-store.ts';
import { applyFilterChange, CHAT_LIMITS, type FilterChange } from './chat-rules.ts';

export type { DigestGroupMark, DigestMark, NewChat } from '../store/chat-store.ts';

/** Settings a person can change; fields left out stay as they are. */
export interface SettingsPatch {
  digestTimes?: string[];
  timezone?: string;
  script?: Script;
  locale?: Locale;
  paused?: boolean;
  itemFormat?: ItemFormat;
  linkPreviews?: boolean;
}

/** What a subscription is to. */
export type SubscriptionTarget = { sourceId: string } | { keyword: string };

/** Outcome of {@link ChatService.subscribe}. */
export interface SubscribeResult {
  /** `added` new; `already` there as asked; `changed` there, with its instant mode changed. */
  status: 'added' | 'already' | 'changed';
  subscription: Subscription;
  chat: Chat;
}

const newId = () => randomUUID().replace(/-/g, '').slice(0, 12);

function sameTarget(s: Subscription, target: SubscriptionTarget): boolean {
  return 'sourceId' in target
    ? s.kind === 'source' && s.sourceId === target.sourceId
    : s.kind === 'keyword' && s.keyword === target.keyword;
}

/**
 * Chats, their settings and subscriptions, with one set of rules for every platform: limits are
 * checked here, every change keeps the chat's digest schedule in step (through the schedule port
 * the job runtime implements), and a chat the platform reported gone is deactivated here only.
 */
export class ChatService {
  constructor(
    private readonly deps: {
      store: ChatStore;
      /** Keeps digest schedulers in step with chats (jobs/); absent in processes without queues (CLI). */
      schedules: ChatSchedulePort | null;
    },
  ) {}

  /** The chat with this key (`platform:chatId`), or null. */
  get(key: string): Promise<Chat | null> {
    return this.deps.store.get(key);
  }

  /** The chat, created with defaults when unknown. */
  async ensure(input: NewChat): Promise<Chat> {
    return this.deps.store.ensure(input);
  }

  /** The stored chat, or one with default settings that is not stored (read-only uses). */
  async peek(input: NewChat): Promise<Chat> {
    return (await this.get(chatKeyOf(input.platform, input.chatId))) ?? newChat(input);
  }

  /** Every chat (start-up rebuild of schedules; a scan). */
  list(): Promise<Chat[]> {
    return this.deps.store.list();
  }

  /** Chats whose settings follow `parentKey` (a Discord guild's channels). */
  children(parentKey: string): Promise<Chat[]> {
    return this.deps.store.children(parentKey);
  }

  /** Throws `subscribe.tooMany` when the chat cannot take another subscription. */
  assertCanSubscribe(chat: Chat): void {
    if (chat.subscriptions.length >= CHAT_LIMITS.subscriptions)
      throw new UserError('subscribe.tooMany', { max: CHAT_LIMITS.subscriptions });
  }

  /**
   * Subscribe a chat to a source or a keyword. `instant` (when given) sets the delivery mode, also
   * of an existing subscription. A chat someone subscribes is reachable again, so a chat paused
   * after a delivery failure is reactivated.
   */
  async subscribe(
    key: string,
    target: SubscriptionTarget,
    opts: { instant?: boolean; threadId?: string | null } = {},
  ): Promise<SubscribeResult> {
    let result: Omit<SubscribeResult, 'chat'> | null = null;
    const chat = await this.change(key, (c) => {
      const existing = c.subscriptions.find((s) => sameTarget(s, target));
      const wasActive = c.active;
      c.active = true;
      c.deactivatedReason = null;
      if (existing) {
        const changed = opts.instant !== undefined && existing.instant !== opts.instant;
        if (changed) existing.instant = opts.instant as boolean;
        result = { status: changed || !wasActive ? 'changed' : 'already', subscription: { ...existing } };
        return;
      }
      this.assertCanSubscribe(c);
      const subscription: Subscription = {
        id: newId(),
        kind: 'sourceId' in target ? 'source' : 'keyword',
        sourceId: 'sourceId' in target ? target.sourceId : null,
        keyword: 'keyword' in target ? target.keyword : null,
        instant: opts.instant ?? false,
        threadId: opts.threadId ?? null,
        name: null,
        include: [],
        exclude: [],
        muted: false,
        format: null,
        createdAt: new Date(),
      };
      c.subscriptions.push(subscription);
      result = { status: 'added', subscription };
    });
    return { ...(result as unknown as Omit<SubscribeResult, 'chat'>), chat };
  }

  /** Remove one subscription; the removed one, or null when the chat has none with that id. */
  async unsubscribe(key: string, subscriptionId: string): Promise<Subscription | null> {
    let removed: Subscription | null = null;
    await this.change(key, (c) => {
      removed = c.subscriptions.find((s) => s.id === subscriptionId) ?? null;
      c.subscriptions = c.subscriptions.filter((s) => s.id !== subscriptionId);
    });
    return removed;
  }

  /** Turn instant delivery of one subscription on or off. */
  async setInstant(key: string, subscriptionId: string, on: boolean): Promise<Chat> {
    return this.change(key, (c) => {
      for (const s of c.subscriptions) if (s.id === subscriptionId) s.instant = on;
    });
  }

  /**
   * Change settings of a chat and, with `family`, of every chat that follows it (a Discord guild's
   * channels). Times and zones arrive parsed by `chat-rules.ts`; limits are checked again here.
   */
  async updateSettings(key: string, patch: SettingsPatch, opts: { family?: boolean } = {}): Promise<Chat> {
    if (patch.digestTimes && patch.digestTimes.length > CHAT_LIMITS.times)
      throw new UserError('time.tooMany', { max: CHAT_LIMITS.times });
    const apply = (c: Chat) => {
      if (patch.digestTimes !== undefined) c.digestTimes = [...new Set(patch.digestTimes)].sort();
      if (patch.timezone !== undefined) c.timezone = patch.timezone;
      if (patch.script !== undefined) c.script = patch.script;
      if (patch.locale !== undefined) c.locale = patch.locale;
      if (patch.paused !== undefined) c.paused = patch.paused;
      if (patch.itemFormat !== undefined) c.itemFormat = patch.itemFormat;
      if (patch.linkPreviews !== undefined) c.linkPreviews = patch.linkPreviews;
    };
    const chat = await this.change(key, apply);
    if (opts.family) for (const child of await this.children(key)) await this.change(child.key, apply);
    return chat;
  }

  /**
   * Copy a parent's shared settings (language, script, zone, times, item format, previews) onto a
   * chat that follows it.
   */
  async inheritSettings(key: string, parent: Chat): Promise<Chat> {
    return this.updateSettings(key, {
      locale: parent.locale,
      script: parent.script,
      timezone: parent.timezone,
      digestTimes: parent.digestTimes,
      itemFormat: parent.itemFormat ?? 'titles',
      linkPreviews: parent.linkPreviews ?? false,
    });
  }

  /**
   * Add or clear the chat's filter words (stored normalised; a word moves between lists). A list
   * that would grow past the limit is refused (`filter.tooMany`) and nothing changes.
   */
  async changeFilters(key: string, change: FilterChange): Promise<Chat> {
    return this.change(key, (c) => {
      Object.assign(c, applyFilterChange(c, change));
    });
  }

  /**
   * Add or clear one subscription's filter words, applied on top of the chat's; the same rules
   * and limits as {@link changeFilters}.
   */
  async changeSubscriptionFilters(key: string, subscriptionId: string, change: FilterChange): Promise<Chat> {
    return this.changeSubscription(key, subscriptionId, (s) => {
      Object.assign(s, applyFilterChange(s, change));
    });
  }

  /** Give a subscription its own name (already checked by `parseSubscriptionName`), or null for none. */
  async renameSubscription(key: string, subscriptionId: string, name: string | null): Promise<Chat> {
    return this.changeSubscription(key, subscriptionId, (s) => {
      s.name = name;
    });
  }

  /** Mute a subscription (it stays, sending nothing) or unmute it; instant delivery follows. */
  async setMuted(key: string, subscriptionId: string, muted: boolean): Promise<Chat> {
    return this.changeSubscription(key, subscriptionId, (s) => {
      s.muted = muted;
    });
  }

  /** Give a subscription its own item format (checked by `parseSubscriptionFormat`), or null for the chat's. */
  async setSubscriptionFormat(key: string, subscriptionId: string, format: ItemFormat | null): Promise<Chat> {
    return this.changeSubscription(key, subscriptionId, (s) => {
      s.format = format;
    });
  }

  /**
   * The platform said the chat is gone: stop delivering and drop its schedules (settings are
   * kept). Returns the chat when this call deactivated it, null when it was inactive or unknown.
   */
  async deactivate(key: string, reason: string): Promise<Chat | null> {
    const before = await this.get(key);
    if (!before?.active) return null;
    return this.change(key, (c) => {
      c.active = false;
      c.deactivatedReason = reason;
    });
  }

  /** The person is back (e.g. `/start` after unblocking the bot): deliver again. */
  async reactivate(key: string): Promise<Chat | null> {
    const before = await this.get(key);
    if (!before || before.active) return before;
    return this.change(key, (c) => {
      c.active = true;
      c.deactivatedReason = null;
    });
  }

  /** Move a chat to a new id (Telegram group → supergroup), keeping every setting and its schedule. */
  async migrate(fromKey: string, to: { chatId: string; type: ChatType }): Promise<Chat | null> {
    const before = await this.get(fromKey);
    const moved = await this.deps.store.migrate(fromKey, to);
    if (!moved) return null;
    await this.deps.schedules?.sync(before, moved);
    return moved;
  }

  /**
   * Record the digest of `slot` (or a manual one when `slot` is null) built at `at`, covering the
   * journal up to `cursor` (left as it was when omitted: a skipped, paused slot covers nothing).
   */
  markDigest(key: string, slot: number | null, at: Date, cursor?: number): Promise<void> {
    return this.deps.store.markDigest(key, slot, at, cursor);
  }

  /** Chats subscribed to `sourceId` (told when it is disabled or comes back). */
  subscribersOf(sourceId: string): Promise<Chat[]> {
    return this.deps.store.subscribersOf(sourceId);
  }

  /** Record many chats' digests (their updates in flight together; see {@link ChatStore.markDigests}). */
  markDigests(marks: readonly DigestMark[]): Promise<void> {
    return this.deps.store.markDigests(marks);
  }

  /** Chats by key (unknown keys left out). */
  getMany(keys: readonly string[]): Promise<Chat[]> {
    return this.deps.store.getMany(keys);
  }

  /** Active chats with subscriptions and a digest at `time` (`HH:MM`) in `timezone`: one scheduled minute's group. */
  async digestGroup(time: string, timezone: string): Promise<Chat[]> {
    const out: Chat[] = [];
    for await (const batch of this.deps.store.digestGroup(time, timezone))
      out.push(...batch.filter((c) => c.subscriptions.length > 0));
    return out;
  }

  /**
   * Every active chat with a digest at `time` in `timezone`, with or without subscriptions, in
   * batches of `size` as one scan reads them.
   */
  digestGroupScan(time: string, timezone: string, size: number): AsyncIterable<SavedChat[]> {
    return this.deps.store.digestGroup(time, timezone, size);
  }

  /** Mark a group's chats for `slot` in one write; see {@link ChatStore.markDigestGroup}. */
  markDigestGroup(mark: DigestGroupMark): Promise<number> {
    return this.deps.store.markDigestGroup(mark);
  }

  /** Chat keys with an instant subscription to `sourceId`. */
  instantChats(sourceId: string): Promise<string[]> {
    return this.deps.store.instantChats(sourceId);
  }

  /** Change one subscription; `not_found` when the chat has none with that id (removed meanwhile). */
  private async changeSubscription(
    key: string,
    subscriptionId: string,
    fn: (s: Subscription) => void,
  ): Promise<Chat> {
    return this.change(key, (c) => {
      const sub = c.subscriptions.find((s) => s.id === subscriptionId);
      if (!sub) throw new NewsrelayError('not_found', `No subscription ${subscriptionId} in ${key}`);
      fn(sub);
    });
  }

  private async change(key: string, fn: (c: Chat) => void): Promise<Chat> {
    const res = await this.deps.store.update(key, fn);
    if (!res) throw new NewsrelayError('not_found', `No chat ${key}`);
    await this.deps.schedules?.sync(res.before, res.after);
    return res.after;
  }
}
