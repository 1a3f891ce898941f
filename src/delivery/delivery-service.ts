import type { Chat, Platform } from '../domain/types.ts';
import { DeliveryError, describeError } from '../errors.ts';
import type { ChatStore } from '../store/chat-store.ts';
import type { DeliveryStore } from '../store/delivery-store.ts';
import type {
  ChatSchedulePort,
  DeliveryJobRef,
  DeliveryQueuePort,
  PlatformSender,
} from './platform-sender.ts';

/** What processing one part did. */
export type PartOutcome =
  | { status: 'sent'; next: DeliveryJobRef | null }
  | { status: 'wait'; ms: number }
  | { status: 'done' | 'missing' | 'gone' };

/** Collaborators of {@link DeliveryService}. */
export interface DeliveryServiceDeps {
  chats: ChatStore;
  deliveries: DeliveryStore;
  senders: ReadonlyMap<Platform, PlatformSender>;
  queue: DeliveryQueuePort;
  schedules: ChatSchedulePort;
}

/**
 * Sends recorded deliveries part by part and records each part as it reaches the platform.
 * Platform-neutral: the sender renders and sends; this decides what is due and what a failure
 * means for the chat.
 */
export class DeliveryService {
  constructor(private readonly deps: DeliveryServiceDeps) {}

  /**
   * Send part `ref.part` unless it was sent already. `gate` says how long the chat must wait
   * (per-chat spacing) — a positive answer returns `wait` without sending; a negative one is a
   * send slot reserved that far ahead, slept before sending. A temporary failure
   * throws the sender's `DeliveryError`; a permanent one deactivates the chat and returns `gone`.
   */
  async processPart(ref: DeliveryJobRef, gate: (chat: Chat) => Promise<number>): Promise<PartOutcome> {
    const delivery = await this.deps.deliveries.get(ref.deliveryId);
    if (!delivery) return { status: 'missing' };
    const chat = await this.deps.chats.get(delivery.chatKey);
    const sender = this.deps.senders.get(ref.platform);
    if (!chat || !sender) return { status: 'missing' };
    if (!chat.active) {
      await this.deps.deliveries.markDone(delivery, 'skipped', chat.deactivatedReason);
      return { status: 'gone' };
    }
    const parts = sender.partCount(chat, delivery.message);
    const progress = await this.deps.deliveries.progress(delivery.id, parts);
    if (progress.done) return { status: 'done' };
    // A retried job after a crash resumes at the first part not recorded.
    const part = Math.max(ref.part, progress.partsSent);
    if (part >= parts) {
      await this.deps.deliveries.markDone(delivery, 'sent');
      return { status: 'done' };
    }
    const wait = await gate(chat);
    if (wait > 0) return { status: 'wait', ms: wait };
    // A negative answer is a send slot reserved that many ms ahead.
    if (wait < 0) await new Promise((r) => setTimeout(r, -wait));
    try {
      await sender.sendPart(chat, delivery.message, part);
    } catch (err) {
      if (err instanceof DeliveryError && err.permanent) {
        await this.deactivate(chat, describeError(err));
        await this.deps.deliveries.markDone(delivery, 'failed', describeError(err));
        return { status: 'gone' };
      }
      throw err;
    }
    await this.deps.deliveries.markPart(delivery, part);
    if (part + 1 >= parts) {
      await this.deps.deliveries.markDone(delivery, 'sent');
      return { status: 'sent', next: null };
    }
    return { status: 'sent', next: { ...ref, part: part + 1 } };
  }

  /** The platform said the chat is gone: deactivate it and drop its schedule. */
  async deactivate(chat: Chat, reason: string): Promise<void> {
    const after = await this.deps.chats.deactivate(chat.key, reason);
    if (after) await this.deps.schedules.sync(chat, after);
  }

  /** Jobs for every delivery not finished (start-up: a restart or a wiped Redis loses nothing). */
  async pendingJobs(): Promise<DeliveryJobRef[]> {
    const refs: DeliveryJobRef[] = [];
    for (const d of await this.deps.deliveries.pending()) {
      const chat = await this.deps.chats.get(d.chatKey);
      if (!chat) continue;
      const sender = this.deps.senders.get(chat.platform);
      if (!sender) continue;
      const progress = await this.deps.deliveries.progress(d.id, sender.partCount(chat, d.message));
      if (progress.done) continue;
      refs.push({ deliveryId: d.id, chatKey: d.chatKey, platform: chat.platform, part: progress.partsSent });
    }
    return refs;
  }

  /** Enqueue the jobs of {@link pendingJobs}; returns how many. */
  async requeuePending(): Promise<number> {
    const refs = await this.pendingJobs();
    for (const r of refs) await this.deps.queue.enqueue(r);
    return refs.length;
  }
}
