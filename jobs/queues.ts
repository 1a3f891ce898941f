/**
 * Every queue newsrelay runs on BullMQ, with its payload schema and who publishes and consumes it.
 * All keys live under the configured QUEUE_PREFIX. Payloads are validated by zod where a job is
 * added and again where it is processed (a job left in Redis by an older version fails alone).
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CHAT_TYPES, type Platform } from '../src/domain/types.ts';
import { LOCALES } from '../src/i18n/i18n.ts';

/** Queue names. */
export const QUEUE = {
  /**
   * `tick` every 30 s — published by the scheduler role (a job scheduler), consumed by the
   * scheduler role: finds due sources and enqueues their fetches.
   */
  poll: 'poll',
  /** `fetch` per (source, poll slot) — published by the poll tick, consumed by workers. */
  fetch: 'fetch',
  /** `retention` daily — published by the scheduler role, consumed by the scheduler role. */
  retention: 'retention',
  /** `compact` hourly (search journal) — published and consumed by the scheduler role. */
  compaction: 'compaction',
  /**
   * `digest` per (timezone, digest minute) slot — published by one job scheduler per group of
   * chats with that digest time (and per-chat start-up catch-ups, in the scheduler role),
   * consumed by workers: builds and records the digests of the group's chats in batches.
   */
  digest: 'digest',
  /** `sweep` every 10 min — published and consumed by the scheduler role: re-enqueues unfinished deliveries. */
  sweep: 'delivery-sweep',
} as const;

/**
 * `deliver` per part of a recorded delivery, one queue per platform — published by the digest
 * workers and by instant delivery (fetch workers), consumed by workers that have the platform's
 * sender; rate-limited to the platform's limits.
 */
export const deliverQueueName = (platform: Platform): string => `deliver-${platform}`;

/** Payload of a `fetch` job: the source and the poll slot it belongs to. */
export const fetchPayload = z.object({
  sourceId: z.string().min(1).max(64),
  slot: z.number().int().nonnegative(),
});
export type FetchPayload = z.infer<typeof fetchPayload>;

/**
 * Payload of a `digest` job: a scheduled minute's group of chats (`time` in `timezone`, from a
 * group scheduler, whose job id carries the slot), or one chat's missed slot (a catch-up).
 */
export const digestPayload = z.union([
  z.object({
    time: z.string().regex(/^\d\d:\d\d$/),
    timezone: z.string().min(1).max(64),
  }),
  z.object({
    chatKey: z.string().min(3).max(200),
    slot: z.number().int().positive().optional(),
  }),
]);
export type DigestPayload = z.infer<typeof digestPayload>;

/** Largest packed message a job carries (base64): a digest packs to a few kB. */
const MAX_PACKED_CHARS = 4 * 1024 * 1024;

/**
 * Padded base64. zod's `base64()` decodes the whole string with `atob` to check it: one more
 * copy of every carried message per job, in a broadcast's hottest path.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Payload of a `deliver` job: one part of one recorded delivery. */
export const deliverPayload = z.object({
  deliveryId: z.string().min(3).max(500),
  chatKey: z.string().min(3).max(200),
  platform: z.enum(['telegram', 'discord']),
  part: z.number().int().min(0).max(1000),
  fresh: z.boolean().optional(),
  // A job of an earlier release carried its message as an object, and a malformed one may come
  // from anywhere: either is read as not carried, and its delivery is read from the database.
  carried: z
    .object({
      digestKey: z.string().min(1).max(300),
      // The message as recorded, deflated, in base64 (src/store/delivery-store.ts packMessage).
      packed: z.string().min(1).max(MAX_PACKED_CHARS).regex(BASE64),
      target: z.object({
        key: z.string().min(3).max(200),
        platform: z.enum(['telegram', 'discord']),
        chatId: z.string().min(1).max(100),
        type: z.enum(CHAT_TYPES),
        parentKey: z.string().nullable(),
        locale: z.enum(LOCALES),
      }),
    })
    .optional()
    .catch(undefined),
});
export type DeliverPayload = z.infer<typeof deliverPayload>;

/** Payload of the `poll`, `retention`, `compact` and `sweep` jobs: none. */
export const emptyPayload = z.object({}).strict();

/**
 * Lock options of a worker whose jobs must come back soon after a worker process dies: BullMQ's
 * lock (renewed while a job runs) and its check for stalled jobs, both `lockMs` (JOB_LOCK).
 */
export function jobLock(lockMs: number): { lockDuration: number; stalledInterval: number } {
  return { lockDuration: lockMs, stalledInterval: lockMs };
}

/** A Redis connection as BullMQ workers need it (`maxRetriesPerRequest: null`). */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** BullMQ job ids may not contain `:` and must not be all digits. */
export function jobIdFor(...parts: Array<string | number>): string {
  return `j-${parts.map((p) => String(p).replace(/[:\s]/g, '_')).join('-')}`;
}
