import type { ChatService } from '../chats/chat-service.ts';
import type { Chat, Platform } from '../domain/types.ts';
import { DeliveryError, describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type Delivery, type DeliveryStore, unpackMessage } from '../store/delivery-store.ts';
import type {
  ChatTarget,
  DeliveryJobRef,
  DeliveryPlace,
  DeliveryQueuePort,
  PlatformSender,
} from './platform-sender.ts';
import { SEND_LATE_MS, type SendGate } from './send-gate.ts';

const DELIVERY_CACHE = 20_000;
const CHAT_CACHE = 20_000;
/** A chat read for sending is reused this long (a deactivation in another process shows after it). */
const CHAT_TTL_MS = 30_000;

/** A small least-recently-used map. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

/**
 * Ask the gate for a send slot and keep it honest. An answer of 0 is a send now, a reserved slot
 * is slept until it has surely come: a send never leaves before its slot. One that would leave
 * more than {@link SEND_LATE_MS} after the slot (a busy event loop woke late) would bunch with the
 * next ones (a burst the platform counts as over its limit), so a new slot is asked for instead,
 * and after a few misses the caller waits and asks again rather than send late. A positive
 * answer is a wait the caller reschedules.
 */
async function paced(gate: SendGate, chat: ChatTarget): Promise<number> {
  for (let tries = 0; ; tries++) {
    const answer = await gate(chat);
    if (typeof answer === 'number') return Math.max(0, answer);
    // A timer may fire a little before its time by this clock: sleep until the slot has surely come.
    for (let left = answer.to - performance.now(); left > 0; left = answer.to - performance.now()) {
      await new Promise((r) => setTimeout(r, left));
    }
    // When the gate's clock is known less well than the budget (no recent call came back quickly),
    // no time is surely on time: the slot is given up like a late one, and the next calls learn more.
    if (performance.now() <= answer.from + SEND_LATE_MS) return 0;
    if (tries >= 2) return SEND_LATE_MS;
  }
}

/** What processing one part did. */
export type PartOutcome =
  | { status: 'sent'; next: DeliveryJobRef | null }
  | { status: 'wait'; ms: number }
  | { status: 'done' | 'missing' | 'gone' | 'rejected' };

/** Collaborators of {@link DeliveryService}. */
export interface DeliveryServiceDeps {
  chats: ChatService;
  deliveries: DeliveryStore;
  /** Enqueues delivery jobs; null in processes without queues. */
  queue: DeliveryQueuePort | null;
  log: Logger;
}

/**
 * Sends recorded deliveries part by part and records each part as it reaches the platform.
 * Platform-neutral: the sender renders, sends and names the kind of a failure; this decides what
 * the kind means — `rejected` ends this delivery only, `chat_gone` deactivates the chat (and its
 * schedules) once and lets the platform tell someone, `retry` and `rate_limited` go back to the
 * queue.
 */
export class DeliveryService {
  /** Deliveries never change once recorded: a part after the first reads none. */
  private readonly deliveries = new Lru<Delivery>(DELIVERY_CACHE);
  /** Chats read for sending, kept briefly: a broadcast reads each once. */
  private readonly chats = new Lru<{ chat: Chat; at: number }>(CHAT_CACHE);
  /** Chats this process saw the platform refuse as gone: their carried jobs read the chat instead. */
  private readonly gone = new Lru<true>(CHAT_CACHE);

  constructor(private readonly deps: DeliveryServiceDeps) {}

  private async delivery(id: string): Promise<Delivery | null> {
    const hit = this.deliveries.get(id);
    if (hit) return hit;
    const d = await this.deps.deliveries.get(id);
    if (d) this.deliveries.set(id, d);
    return d;
  }

  private async chat(key: string): Promise<Chat | null> {
    const hit = this.chats.get(key);
    if (hit && Date.now() - hit.at < CHAT_TTL_MS) return hit.chat;
    const chat = await this.deps.chats.get(key);
    // Only an active chat is kept: one that was inactive is read again, so a person who comes
    // back (and is reactivated by another process) is not skipped on a stale copy.
    if (chat?.active) this.chats.set(key, { chat, at: Date.now() });
    return chat;
  }

  /**
   * Send part `ref.part` with `sender` unless it was sent already. `gate` says how long the chat
   * must wait (per-chat spacing) — a positive answer returns `wait` without sending; a reserved
   * slot is slept until before sending. `retry` and `rate_limited` failures are thrown for the
   * queue to reschedule.
   */
  async processPart(ref: DeliveryJobRef, sender: PlatformSender, gate: SendGate): Promise<PartOutcome> {
    const carried = ref.fresh ? ref.carried : undefined;
    const delivery: Delivery | null = carried
      ? {
          id: ref.deliveryId,
          chatKey: ref.chatKey,
          digestKey: carried.digestKey,
          message: unpackMessage(Buffer.from(carried.packed, 'base64')),
          createdAt: new Date(),
        }
      : await this.delivery(ref.deliveryId);
    if (!delivery) return { status: 'missing' };
    let chat: ChatTarget;
    // The carried target was read when the delivery was recorded. The one change that matters
    // since — the platform said the chat is gone — is known here when this process saw it (then
    // the chat is read: it may have come back); otherwise the platform says it again.
    if (carried && this.gone.get(delivery.chatKey) === undefined) {
      chat = carried.target;
    } else {
      const read = await this.chat(delivery.chatKey);
      if (!read) return { status: 'missing' };
      if (!read.active) {
        await this.deps.deliveries.markDone(delivery, 'skipped', read.deactivatedReason);
        return { status: 'gone' };
      }
      this.gone.delete(delivery.chatKey);
      chat = read;
    }
    const parts = sender.partCount(chat, delivery.message);
    let part = ref.part;
    // A fresh job was enqueued right after the previous step was recorded: nothing of this part
    // can have been sent. Any other (a retry after a crash, a sweep) reads what was recorded and
    // resumes at the first part not sent.
    if (!ref.fresh) {
      const progress = await this.deps.deliveries.progress(delivery.id, parts);
      if (progress.done) return { status: 'done' };
      part = Math.max(ref.part, progress.partsSent);
    }
    if (part >= parts) {
      await this.deps.deliveries.markDone(delivery, 'sent');
      return { status: 'done' };
    }
    const wait = await paced(gate, chat);
    if (wait > 0) return { status: 'wait', ms: wait };
    let placed: string | null = null;
    const place: DeliveryPlace = {
      anchor: () => this.deps.deliveries.anchorOf(delivery.id),
      place: (anchor) => {
        placed = anchor;
      },
    };
    try {
      await sender.sendPart(chat, delivery.message, part, place);
    } catch (err) {
      const e =
        err instanceof DeliveryError ? err : new DeliveryError('retry', describeError(err), { cause: err });
      if (e.kind === 'rejected') {
        await this.deps.deliveries.markDone(delivery, 'failed', e.message);
        return { status: 'rejected' };
      }
      if (e.kind === 'chat_gone') {
        await this.chatGone(chat, sender, e.reason ?? e.message);
        await this.deps.deliveries.markDone(delivery, 'failed', e.message);
        return { status: 'gone' };
      }
      throw e;
    }
    // One write per message: the part marker, and for the last part the done marker with it
    // (both in the store's next batch).
    const last = part + 1 >= parts;
    await this.deps.deliveries.recordSent(delivery, part, placed, last);
    if (last) return { status: 'sent', next: null };
    return { status: 'sent', next: { ...ref, part: part + 1, fresh: true } };
  }

  private async chatGone(chat: ChatTarget, sender: PlatformSender, reason: string): Promise<void> {
    this.chats.delete(chat.key);
    this.gone.set(chat.key, true);
    const deactivated = await this.deps.chats.deactivate(chat.key, reason);
    if (!deactivated || !sender.chatGone) return;
    await sender
      .chatGone(deactivated, reason)
      .catch((err: unknown) =>
        this.deps.log.info({ err: describeError(err), chat: chat.key }, 'could not tell about a gone chat'),
      );
  }

  /** Jobs for every delivery not finished (start-up: a restart or a wiped Redis loses nothing). */
  async pendingJobs(senders: ReadonlyMap<Platform, PlatformSender>): Promise<DeliveryJobRef[]> {
    const refs: DeliveryJobRef[] = [];
    for (const d of await this.deps.deliveries.pending()) {
      const chat = await this.deps.chats.get(d.chatKey);
      if (!chat) continue;
      const sender = senders.get(chat.platform);
      if (!sender) continue;
      const progress = await this.deps.deliveries.progress(d.id, sender.partCount(chat, d.message));
      if (progress.done) continue;
      refs.push({ deliveryId: d.id, chatKey: d.chatKey, platform: chat.platform, part: progress.partsSent });
    }
    return refs;
  }

  /** Enqueue the jobs of {@link pendingJobs}; returns how many. */
  async requeuePending(senders: ReadonlyMap<Platform, PlatformSender>): Promise<number> {
    const queue = this.deps.queue;
    if (!queue) return 0;
    const refs = await this.pendingJobs(senders);
    await queue.enqueueMany(refs);
    return refs.length;
  }

  /** Forget deliveries created before `cutoff` (retention). */
  deleteCreatedBefore(cutoff: Date): Promise<number> {
    return this.deps.deliveries.deleteCreatedBefore(cutoff);
  }
}
