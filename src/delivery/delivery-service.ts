import type { ChatService } from '../chats/chat-service.ts';
import type { Chat, Platform } from '../domain/types.ts';
import { DeliveryError, describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DeliveryStore } from '../store/delivery-store.ts';
import type { DeliveryJobRef, DeliveryQueuePort, PlatformSender } from './platform-sender.ts';

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
  constructor(private readonly deps: DeliveryServiceDeps) {}

  /**
   * Send part `ref.part` with `sender` unless it was sent already. `gate` says how long the chat
   * must wait (per-chat spacing) — a positive answer returns `wait` without sending; a negative
   * one is a send slot reserved that far ahead, slept before sending. `retry` and `rate_limited`
   * failures are thrown for the queue to reschedule.
   */
  async processPart(
    ref: DeliveryJobRef,
    sender: PlatformSender,
    gate: (chat: Chat) => Promise<number>,
  ): Promise<PartOutcome> {
    const delivery = await this.deps.deliveries.get(ref.deliveryId);
    if (!delivery) return { status: 'missing' };
    const chat = await this.deps.chats.get(delivery.chatKey);
    if (!chat) return { status: 'missing' };
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
    await this.deps.deliveries.markPart(delivery, part);
    if (part + 1 >= parts) {
      await this.deps.deliveries.markDone(delivery, 'sent');
      return { status: 'sent', next: null };
    }
    return { status: 'sent', next: { ...ref, part: part + 1 } };
  }

  private async chatGone(chat: Chat, sender: PlatformSender, reason: string): Promise<void> {
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
    for (const r of refs) await queue.enqueue(r);
    return refs.length;
  }

  /** Forget deliveries created before `cutoff` (retention). */
  deleteCreatedBefore(cutoff: Date): Promise<number> {
    return this.deps.deliveries.deleteCreatedBefore(cutoff);
  }
}
