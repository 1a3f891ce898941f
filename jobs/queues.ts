import { Redis } from 'ioredis';

/** Names of newsrelay's queues. Each is created under the configured prefix. */
export const QUEUE = {
  /** One repeatable tick that finds due sources. */
  poll: 'poll',
  /** One job per (source, slot). */
  fetch: 'fetch',
  /** Daily retention. */
  retention: 'retention',
} as const;

/** A Redis connection as BullMQ workers need it (`maxRetriesPerRequest: null`). */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** BullMQ job ids may not contain `:` and must not be all digits. */
export function jobIdFor(...parts: Array<string | number>): string {
  return `j-${parts.map((p) => String(p).replace(/[:\s]/g, '_')).join('-')}`;
}
