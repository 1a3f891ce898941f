import { chatKeyOf } from '../domain/chat-key.ts';
import type { Chat, ChatType, Locale, Platform, SavedChat, Script, Subscription } from '../domain/types.ts';
import { cursorBatches } from './cursor-batches.ts';
import type { Models } from './models.ts';

/**
 * A stored chat (decision 0017): the fields queries and digest marks touch are top-level, the
 * rest of its settings (subscriptions included) one JSON text field, because FerretDB decodes
 * every nested field of every chat a scan reads (a group's scan and mark cost 0.45 and 0.67 ms
 * per chat with nested subscriptions, 0.16 and 0.32 with them as text). `sourceIds` mirrors the
 * subscriptions' sources for {@link ChatStore.subscribersOf}. Chats stored before carry every
 * field top-level and no `settings`; they are read as such and rewritten by their next save.
 */
interface ChatDoc extends Partial<StoredSettings> {
  _id: string;
  platform: Platform;
  chatId: string;
  parentKey: string | null;
  timezone: string;
  digestTimes: string[];
  paused: boolean;
  active: boolean;
  lastDigestAt: Date | null;
  lastDigestSlot: number | null;
  lastDigestSeq: number | null;
  createdAt: Date;
  updatedAt: Date;
  settings?: string;
  sourceIds?: string[];
}

/** What a chat document keeps as JSON text (its subscriptions' dates as ISO strings). */
type StoredSettings = Pick<
  Chat,
  | 'type'
  | 'title'
  | 'locale'
  | 'script'
  | 'deactivatedReason'
  | 'include'
  | 'exclude'
  | 'subscriptions'
  | 'itemFormat'
  | 'linkPreviews'
>;

export { chatKeyOf };

/** What a new chat starts with; the rest comes from defaults. */
export interface NewChat {
  platform: Platform;
  chatId: string;
  type: ChatType;
  title?: string | null;
  parentKey?: string | null;
  locale: Locale;
  timezone: string;
  script?: Script;
}

/** A stored subscription; fields added later are absent from chats stored before them. */
function toSubscription(
  s: Partial<Subscription> & Pick<Subscription, 'id' | 'kind'> & { createdAt: Date | string },
): Subscription {
  return {
    id: s.id,
    kind: s.kind,
    sourceId: s.sourceId ?? null,
    keyword: s.keyword ?? null,
    instant: s.instant ?? false,
    threadId: s.threadId ?? null,
    name: s.name ?? null,
    include: s.include ?? [],
    exclude: s.exclude ?? [],
    muted: s.muted ?? false,
    format: s.format ?? null,
    createdAt: new Date(s.createdAt),
  };
}

function toChat(d: ChatDoc): Chat {
  const s: Partial<StoredSettings> =
    d.settings === undefined ? d : (JSON.parse(d.settings) as StoredSettings);
  return {
    key: d._id,
    platform: d.platform,
    chatId: d.chatId,
    type: s.type!,
    title: s.title ?? null,
    parentKey: d.parentKey ?? null,
    locale: s.locale!,
    script: s.script!,
    timezone: d.timezone,
    digestTimes: d.digestTimes ?? [],
    paused: d.paused ?? false,
    active: d.active ?? true,
    deactivatedReason: s.deactivatedReason ?? null,
    include: s.include ?? [],
    exclude: s.exclude ?? [],
    subscriptions: (s.subscriptions ?? []).map(toSubscription),
    lastDigestAt: d.lastDigestAt ?? null,
    lastDigestSlot: d.lastDigestSlot ?? null,
    lastDigestSeq: d.lastDigestSeq ?? null,
    itemFormat: s.itemFormat ?? 'titles',
    linkPreviews: s.linkPreviews ?? false,
    createdAt: d.createdAt,
  };
}

/** A chat with default settings, not stored. */
export function newChat(input: NewChat): Chat {
  return {
    key: chatKeyOf(input.platform, input.chatId),
    platform: input.platform,
    chatId: input.chatId,
    type: input.type,
    title: input.title ?? null,
    parentKey: input.parentKey ?? null,
    locale: input.locale,
    script: input.script ?? 'original',
    timezone: input.timezone,
    digestTimes: ['08:00'],
    paused: false,
    active: true,
    deactivatedReason: null,
    include: [],
    exclude: [],
    subscriptions: [],
    lastDigestAt: null,
    lastDigestSlot: null,
    lastDigestSeq: null,
    itemFormat: 'titles',
    linkPreviews: false,
    createdAt: new Date(),
  };
}

/** The document of `c` (exported for fixtures that insert chats in bulk). */
export function toDoc(c: Chat): ChatDoc {
  const settings: StoredSettings = {
    type: c.type,
    title: c.title,
    locale: c.locale,
    script: c.script,
    deactivatedReason: c.deactivatedReason,
    include: c.include,
    exclude: c.exclude,
    subscriptions: c.subscriptions,
    itemFormat: c.itemFormat ?? 'titles',
    linkPreviews: c.linkPreviews ?? false,
  };
  return {
    _id: c.key,
    platform: c.platform,
    chatId: c.chatId,
    parentKey: c.parentKey,
    timezone: c.timezone,
    digestTimes: c.digestTimes,
    paused: c.paused,
    active: c.active,
    lastDigestAt: c.lastDigestAt,
    lastDigestSlot: c.lastDigestSlot,
    lastDigestSeq: c.lastDigestSeq,
    createdAt: c.createdAt,
    updatedAt: new Date(),
    settings: JSON.stringify(settings),
    sourceIds: [...new Set(c.subscriptions.flatMap((x) => (x.sourceId ? [x.sourceId] : [])))],
  };
}

/** One chat's digest record: see {@link ChatStore.markDigest}. */
export interface DigestMark {
  key: string;
  slot: number | null;
  at: Date;
  cursor?: number | undefined;
}

/** A group's digest record: see {@link ChatStore.markDigestGroup}. */
export interface DigestGroupMark {
  time: string;
  timezone: string;
  slot: number;
  at: Date;
  cursor: number;
  /** Chats saved after this (joined the group, or changed, during the run) are left out. */
  unchangedSince: Date;
}

/**
 * Chats with their settings and embedded subscriptions: one document per chat, read by `_id`
 * (one look-up per chat on every path). Instant subscribers are mirrored per source in
 * `instant_subscribers`, so a new article finds its chats with one `_id` read.
 */
export class ChatStore {
  constructor(private readonly models: Models) {}

  async get(key: string): Promise<Chat | null> {
    const d = await this.models.Chat.collection.findOne({ _id: key as never });
    return d ? toChat(d as unknown as ChatDoc) : null;
  }

  /** The chat, created with defaults when unknown (a race between two creators is settled by `_id`). */
  async ensure(input: NewChat): Promise<Chat> {
    const found = await this.get(chatKeyOf(input.platform, input.chatId));
    if (found) return found;
    const chat = newChat(input);
    try {
      await this.models.Chat.collection.insertOne(toDoc(chat) as never);
      return chat;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      return (await this.get(chat.key)) ?? chat;
    }
  }

  /** Replace a chat's settings (user actions only: not a hot path) and mirror instant subscriptions. */
  async save(chat: Chat, before?: Chat | null): Promise<void> {
    await this.models.Chat.collection.replaceOne({ _id: chat.key as never }, toDoc(chat) as never, {
      upsert: true,
    });
    const prev = new Set(instantSources(before ?? null));
    const next = new Set(instantSources(chat.active ? chat : null));
    await Promise.all([
      ...[...next].filter((s) => !prev.has(s)).map((s) => this.addInstant(s, chat.key)),
      ...[...prev].filter((s) => !next.has(s)).map((s) => this.removeInstant(s, chat.key)),
    ]);
  }

  /** Apply `change` to the stored chat and save it; returns before and after (null when unknown). */
  async update(key: string, change: (chat: Chat) => void): Promise<{ before: Chat; after: Chat } | null> {
    const before = await this.get(key);
    if (!before) return null;
    const after = structuredClone(before);
    change(after);
    await this.save(after, before);
    return { before, after };
  }

  /** Record the digest of `slot` (or a manual one when `slot` is null) built at `at`. */
  async markDigest(key: string, slot: number | null, at: Date, cursor?: number): Promise<void> {
    await this.markDigests([{ key, slot, at, cursor }]);
  }

  /**
   * {@link markDigest} for many chats, the updates in flight together. (One `bulkWrite` would be
   * one round trip, but FerretDB 1.24's update command keeps each statement's query open until
   * the whole command ends: from 100 statements on, its SQLite pool has no connection left for
   * the next one, which waits forever; seen here, every other client of the server then stalled.)
   */
  async markDigests(marks: readonly DigestMark[]): Promise<void> {
    await Promise.all(
      marks.map(({ key, slot, at, cursor }) => {
        // A mark leaves `updatedAt` alone: it dates the chat's settings, which a group's mark
        // compares with its run's start (a mark from another run is no change to the group).
        const set: Record<string, unknown> = { lastDigestAt: at };
        if (slot !== null) set.lastDigestSlot = slot;
        if (cursor !== undefined) set.lastDigestSeq = cursor;
        return this.models.Chat.collection.updateOne({ _id: key as never }, { $set: set } as never);
      }),
    );
  }

  /** Chats by key, in the given order; unknown keys are left out (one `_id` look-up each). */
  async getMany(keys: readonly string[]): Promise<Chat[]> {
    const found = await Promise.all(keys.map((k) => this.get(k)));
    return found.filter((c): c is Chat => c !== null);
  }

  /**
   * Active chats with a digest at `time` in `timezone` (one scan: a scheduled minute's group), in
   * batches of `size` as the cursor reads them.
   */
  digestGroup(time: string, timezone: string, size = 250): AsyncGenerator<SavedChat[]> {
    const cursor = this.models.Chat.collection
      .find({ digestTimes: time, timezone, active: true })
      .batchSize(size);
    return cursorBatches(cursor, size, (d) => ({
      ...toChat(d as unknown as ChatDoc),
      savedAt: (d as unknown as ChatDoc).updatedAt,
    }));
  }

  /**
   * Record the digest of `slot` for every active, unpaused chat of a group not marked for it yet
   * and unchanged since `unchangedSince` (one `updateMany`); returns how many were marked.
   */
  async markDigestGroup(m: DigestGroupMark): Promise<number> {
    const res = await this.models.Chat.collection.updateMany(
      {
        digestTimes: m.time,
        timezone: m.timezone,
        active: true,
        paused: false,
        updatedAt: { $lte: m.unchangedSince },
        $or: [{ lastDigestSlot: null }, { lastDigestSlot: { $lt: m.slot } }],
      } as never,
      {
        $set: { lastDigestAt: m.at, lastDigestSlot: m.slot, lastDigestSeq: m.cursor },
      } as never,
    );
    return res.modifiedCount;
  }

  /** Move a chat to a new id (Telegram group → supergroup), keeping every setting. */
  async migrate(fromKey: string, to: { chatId: string; type: ChatType }): Promise<Chat | null> {
    const old = await this.get(fromKey);
    if (!old) return null;
    // The migration message itself proves the new chat is reachable: a group deactivated after a
    // failed send is active again under its new id.
    const moved: Chat = {
      ...old,
      key: chatKeyOf(old.platform, to.chatId),
      chatId: to.chatId,
      type: to.type,
      active: true,
      deactivatedReason: null,
    };
    const existing = await this.get(moved.key);
    if (existing && existing.subscriptions.length > 0) return existing;
    await this.save(moved, existing);
    // Clearing the old chat's subscriptions first drops its instant-subscriber entries.
    await this.save({ ...old, subscriptions: [] }, old);
    await this.models.Chat.collection.deleteOne({ _id: fromKey as never });
    return moved;
  }

  /** Every chat (start-up rebuild of schedulers; a scan, once). */
  async list(): Promise<Chat[]> {
    const docs = await this.models.Chat.collection.find({}).toArray();
    return (docs as unknown as ChatDoc[]).map(toChat);
  }

  /** Chats whose `parentKey` is `parentKey` (a Discord guild's channels). */
  async children(parentKey: string): Promise<Chat[]> {
    const docs = await this.models.Chat.collection.find({ parentKey }).toArray();
    return (docs as unknown as ChatDoc[]).map(toChat);
  }

  /** Chats subscribed to `sourceId` (a scan: only when a source is disabled or comes back). */
  async subscribersOf(sourceId: string): Promise<Chat[]> {
    const docs = await this.models.Chat.collection
      .find({ $or: [{ sourceIds: sourceId }, { 'subscriptions.sourceId': sourceId }] } as never)
      .toArray();
    return (docs as unknown as ChatDoc[])
      .map(toChat)
      .filter((c) => c.subscriptions.some((s) => s.sourceId === sourceId));
  }

  /** Chat keys with an instant subscription to `sourceId`. */
  async instantChats(sourceId: string): Promise<string[]> {
    const d = (await this.models.Instant.collection.findOne({ _id: sourceId as never })) as {
      chats?: string[];
    } | null;
    return d?.chats ?? [];
  }

  private async addInstant(sourceId: string, chatKey: string): Promise<void> {
    await this.models.Instant.collection.updateOne(
      { _id: sourceId as never },
      { $addToSet: { chats: chatKey } } as never,
      { upsert: true },
    );
  }

  private async removeInstant(sourceId: string, chatKey: string): Promise<void> {
    await this.models.Instant.collection.updateOne({ _id: sourceId as never }, {
      $pull: { chats: chatKey },
    } as never);
  }
}

function instantSources(chat: Chat | null): string[] {
  if (!chat) return [];
  return chat.subscriptions
    .filter((s: Subscription) => s.instant && !s.muted && s.kind === 'source' && s.sourceId)
    .map((s) => s.sourceId as string);
}
