import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** A held leadership: renewed in the background until released or lost. */
export interface Leadership {
  release(): Promise<void>;
}

/**
 * Run `onLead` in exactly one process at a time (e.g. Telegram long polling, which Telegram
 * allows once per bot): a Redis key with a TTL, renewed while held. A process that does not
 * get it retries every `ttlMs` and takes over when the holder stops or dies; `onLose` runs if
 * renewal fails (the holder was paused longer than the TTL).
 */
export function holdLeadership(
  redis: Redis,
  key: string,
  handlers: { onLead: () => Promise<void>; onLose: () => Promise<void> },
  ttlMs = 15_000,
): Leadership {
  const token = randomUUID();
  let leading = false;
  let stopped = false;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    if (leading) {
      const renewed = await redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => 0);
      if (renewed !== 1) {
        leading = false;
        await handlers.onLose();
      }
      return;
    }
    const got = await redis.set(key, token, 'PX', ttlMs, 'NX').catch(() => null);
    if (got === 'OK') {
      leading = true;
      await handlers.onLead();
    }
  };
  let running: Promise<void> = tick();
  const timer = setInterval(() => {
    running = running.then(tick, tick);
  }, ttlMs / 3);
  timer.unref();
  return {
    release: async () => {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
      if (leading) await redis.eval(RELEASE, 1, key, token).catch(() => 0);
      leading = false;
    },
  };
}
