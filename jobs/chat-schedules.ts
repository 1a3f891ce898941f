import type { Queue } from 'bullmq';
import type { ChatService } from '../src/chats/chat-service.ts';
import type { ChatSchedulePort } from '../src/delivery/platform-sender.ts';
import { cronPattern, latestSlot } from '../src/digest/digest-slots.ts';
import type { Chat } from '../src/domain/types.ts';

const enc = (key: string) => Buffer.from(key).toString('base64url');

/** Scheduler upserts in flight during a rebuild. */
const REBUILD_CONCURRENCY = 16;

/**
 * Scheduler id of one digest minute in one timezone: the job it fires builds the digests of every
 * chat with a digest then (no `:` — BullMQ builds `repeat:<id>:<ms>` job ids from it).
 */
export function schedulerId(timezone: string, time: string): string {
  return `digest-${enc(timezone)}-${time.replace(':', '')}`;
}

/** Digest times that need a scheduler: an active chat with something to digest. */
const wanted = (c: Chat | null): string[] => (c?.active && c.subscriptions.length > 0 ? c.digestTimes : []);

/** Options of the jobs a group scheduler fires: a failed group (a database outage) is retried. */
const GROUP_JOB_OPTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: true,
  removeOnFail: 100,
} as const;

/**
 * One BullMQ Job Scheduler per (timezone, digest time) that any chat uses, pattern `MM HH * * *`
 * in that timezone: a scheduled minute fires one job for its whole group of chats, however many
 * (`DigestService.runGroup`), not one job chain per chat. MongoDB is the truth: {@link rebuild}
 * recreates the schedulers from the chats at start-up, drops those no chat uses, and catches up
 * the latest missed slot of each chat (downtime, wiped Redis) from `lastDigestSlot`.
 */
export class ChatSchedules implements ChatSchedulePort {
  constructor(
    /** The digest queue the schedulers live on. */
    readonly queue: Queue,
  ) {}

  /**
   * A chat's change needs at most a group scheduler it did not need before: a chat leaving a
   * group is simply not in it when the group's minute comes (an unused scheduler is dropped by
   * the next rebuild).
   */
  async sync(before: Chat | null, after: Chat): Promise<void> {
    const had = new Set(wanted(before).map((t) => schedulerId(before!.timezone, t)));
    for (const t of wanted(after))
      if (!had.has(schedulerId(after.timezone, t))) await this.upsert(after.timezone, t);
  }

  private async upsert(timezone: string, time: string): Promise<void> {
    await this.queue.upsertJobScheduler(
      schedulerId(timezone, time),
      { pattern: cronPattern(time), tz: timezone },
      { name: 'digest', data: { time, timezone }, opts: GROUP_JOB_OPTS },
    );
  }

  /** Recreate every scheduler from MongoDB, drop stale ones, and enqueue missed digests. */
  async rebuild(
    source: Pick<ChatService, 'list'>,
    now = Date.now(),
  ): Promise<{ schedulers: number; caughtUp: number }> {
    const chats = await source.list();
    const desired = new Map<string, { timezone: string; time: string }>();
    for (const chat of chats)
      for (const time of wanted(chat))
        desired.set(schedulerId(chat.timezone, time), { timezone: chat.timezone, time });
    for (const { timezone, time } of desired.values()) await this.upsert(timezone, time);
    let caughtUp = 0;
    // Each catch-up is a Lua script round trip: many at once, a bounded number in flight.
    let next = 0;
    const lane = async () => {
      while (next < chats.length) if (await this.catchUp(chats[next++]!, now)) caughtUp++;
    };
    await Promise.all(Array.from({ length: REBUILD_CONCURRENCY }, lane));
    // Per-chat schedulers (`chat-…`) are what releases before group schedulers left behind.
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const id = s.key ?? (s as { id?: string }).id;
      if (id && (id.startsWith('chat-') || id.startsWith('digest-')) && !desired.has(id))
        await this.queue.removeJobScheduler(id);
    }
    return { schedulers: desired.size, caughtUp };
  }

  /** Enqueue the latest slot this chat missed, if any. */
  async catchUp(chat: Chat, now = Date.now()): Promise<boolean> {
    if (wanted(chat).length === 0) return false;
    const slot = latestSlot(chat.digestTimes, chat.timezone, now);
    const last = chat.lastDigestSlot ?? chat.createdAt.getTime();
    if (slot === null || slot <= last) return false;
    await this.queue.add(
      'digest',
      { chatKey: chat.key, slot },
      { jobId: `c-${enc(chat.key)}-${slot}`, removeOnComplete: true, removeOnFail: 100 },
    );
    return true;
  }
}
