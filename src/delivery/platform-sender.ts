import type { Chat, OutgoingMessage, Platform } from '../domain/types.ts';

/**
 * The port a platform adapter implements to send deliveries. A message becomes one or more
 * platform messages ("parts", e.g. Telegram's 4,096-character limit); the delivery queue sends one
 * part per job, so its rate limiter counts real platform messages and a crash repeats at most the
 * part in flight. Failures throw the core `DeliveryError` with its kind (retry, rate_limited,
 * rejected, chat_gone): the sender only translates, the delivery service decides.
 */
export interface PlatformSender {
  readonly platform: Platform;
  /** How many parts `msg` renders to for `chat` (deterministic: the same message, the same parts). */
  partCount(chat: ChatTarget, msg: OutgoingMessage): number;
  /**
   * Send part `part` (0-based) of `msg`. `place` carries where this delivery went: a platform that
   * opens a place of its own for a delivery (a Discord forum post) records it from part 0 and
   * reads it back for later parts — stored with the delivery, so it survives restarts.
   */
  sendPart(chat: ChatTarget, msg: OutgoingMessage, part: number, place?: DeliveryPlace): Promise<void>;
  /**
   * Called once when a failed send made the core deactivate `chat` (`reason` as the sender gave
   * it): a platform may tell someone who can fix it (Discord: the server's admins). Best effort.
   */
  chatGone?(chat: Chat, reason: string): Promise<void>;
}

/** Where a delivery's parts go, beyond its chat: see {@link PlatformSender.sendPart}. */
export interface DeliveryPlace {
  /** What part 0 recorded with {@link place}, read on demand; null when it recorded nothing. */
  anchor(): Promise<string | null>;
  /** Record where this delivery went (part 0: e.g. the id of the forum post it opened). */
  place(anchor: string): void;
}

/**
 * What a sender and the send gate need of a chat: a fresh job carries it (see
 * {@link DeliveryJobRef.carried}), so sending reads no chat document.
 */
export type ChatTarget = Pick<Chat, 'key' | 'platform' | 'chatId' | 'type' | 'parentKey' | 'locale'>;

/** The fields of {@link ChatTarget}, for copying one out of a chat. */
export function chatTarget(chat: ChatTarget): ChatTarget {
  const { key, platform, chatId, type, parentKey, locale } = chat;
  return { key, platform, chatId, type, parentKey, locale };
}

/** A delivery job: part `part` of delivery `deliveryId`. */
export interface DeliveryJobRef {
  deliveryId: string;
  chatKey: string;
  platform: Platform;
  part: number;
  /**
   * Enqueued right after the delivery (or its previous part) was recorded, so nothing of it can
   * have been sent yet: a first attempt may skip reading its progress. Sweeps and re-enqueues
   * leave it out.
   */
  fresh?: boolean;
  /**
   * The delivery as recorded (its digest key and message) and its chat's target, carried by a
   * fresh job so that sending it reads nothing from the database: a broadcast's only database
   * work per message is its batched progress marker. Set only together with `fresh`, from the
   * delivery just recorded — a job that is not fresh reads the recorded delivery instead.
   */
  carried?: CarriedDelivery;
}

/** What a fresh job carries: see {@link DeliveryJobRef.carried}. */
export interface CarriedDelivery {
  digestKey: string;
  /**
   * The message packed as it was recorded (deflated JSON), in base64: a queued digest holds about
   * half the memory its JSON took (6 kB of Redis instead of 11 kB in the fan-out benchmark), and
   * a worker holds a short string per job until it sends.
   */
  packed: string;
  target: ChatTarget;
}

/** The fresh job of a delivery recorded just now (`packed`: its message as recorded), carrying what sending it needs. */
export function freshJob(
  d: { id: string; digestKey: string; packed: Uint8Array },
  chat: ChatTarget,
): DeliveryJobRef {
  return {
    deliveryId: d.id,
    chatKey: chat.key,
    platform: chat.platform,
    part: 0,
    fresh: true,
    carried: {
      digestKey: d.digestKey,
      packed: Buffer.from(d.packed.buffer, d.packed.byteOffset, d.packed.byteLength).toString('base64'),
      target: chatTarget(chat),
    },
  };
}

/** Enqueues delivery jobs (implemented in `jobs/` on BullMQ). */
export interface DeliveryQueuePort {
  /** Enqueue one job; `delayMs`: it waits that long before a worker takes it. */
  enqueue(ref: DeliveryJobRef, opts?: { delayMs?: number }): Promise<void>;
  /** Enqueue many jobs in as few round trips as the queue allows. */
  enqueueMany(refs: readonly DeliveryJobRef[]): Promise<void>;
}

/** Keeps a chat's digest schedule in step with its settings (implemented in `jobs/`). */
export interface ChatSchedulePort {
  /** Called after every settings change; `before` null for a new chat. */
  sync(before: Chat | null, after: Chat): Promise<void>;
}
