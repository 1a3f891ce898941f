import type { Queue } from 'bullmq';
import type { ChatService } from '../src/chats/chat-service.ts';
import type { ChatSchedulePort } from '../src/delivery/platform-sender.ts';
import { cronPattern, latestSlot } from '../src/digest/digest-slots.ts';
import type { Chat } from '../src/domain/types.ts';

const enc = (key: string) => Buffer.from(key).toString('base64url');

/** Scheduler id of one digest time of a chat (no `:` — BullMQ builds `repeat:<id>:<ms>` job ids from it). */
export function schedulerId(chatKey: string, time: string): string {
  return `chat-${enc(chatKey)}-${time.replace(':', '')}`;
}

/** Digest times that need a scheduler: an active chat with something to digest. */
const wanted = (c: Chat | null): string[] => (c?.active && c.subscriptions.length > 0 ? c.digestTimes : []);

/**
 * One BullMQ Job Scheduler per (chat, digest time), pattern `MM HH * * *` in the chat's timezone.
 * MongoDB is the truth: {@link rebuild} recreates the schedulers from the chats at start-up and
 * catches up the latest missed slot of each chat (downtime, wiped Redis) from `lastDigestSlot`.
 */
export class ChatSchedules implements ChatSchedulePort {
  constructor(
    /** The digest queue the schedulers live on. */
    readonly queue: Queue,
  ) {}

  async sync(before: Chat | null, after: Chat): Promise<void> {
    const next = new Set(wanted(after));
    for (const t of wanted(before))
      if (!next.has(t) || before?.key !== after.key)
        await this.queue.removeJobScheduler(schedulerId(before!.key, t));
    const changed = !before || before.timezone !== after.timezone || before.key !== after.key;
    for (const t of next) if (changed || !wanted(before).includes(t)) await this.upsert(after, t);
  }

  private async upsert(chat: Chat, time: string): Promise<void> {
    await this.queue.upsertJobScheduler(
      schedulerId(chat.key, time),
      { pattern: cronPattern(time), tz: chat.timezone },
      { name: 'digest', data: { chatKey: chat.key }, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  }

  /** Recreate every scheduler from MongoDB, drop stale ones, and enqueue missed digests. */
  async rebuild(
    source: Pick<ChatService, 'list'>,
    now = Date.now(),
  ): Promise<{ schedulers: number; caughtUp: number }> {
    const chats = await source.list();
    const desired = new Set<string>();
    let caughtUp = 0;
    for (const chat of chats) {
      for (const t of wanted(chat)) {
        desired.add(schedulerId(chat.key, t));
        await this.upsert(chat, t);
      }
      if (await this.catchUp(chat, now)) caughtUp++;
    }
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const id = s.key ?? (s as { id?: string }).id;
      if (id?.startsWith('chat-') && !desired.has(id)) await this.queue.removeJobScheduler(id);
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
