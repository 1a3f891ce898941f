import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Something only one process may run at a time (Telegram long polling, the Discord gateway). */
export interface LeaderTask {
  /** Start; throws when it cannot (a failed getMe, a refused login). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** False once it stopped on its own (polling ended with a 409 or 401, the gateway gave up). */
  readonly running: boolean;
}

/** Where a supervised task stands in this process. */
export type LeaderState = 'standby' | 'starting' | 'leading' | 'backoff' | 'stopped';

/** A supervised leadership: renewed in the background until released. */
export interface Leadership {
  readonly state: LeaderState;
  /**
   * True when the task is served: this process leads with the task running, or waits as a
   * standby while another process holds the lock. False while starting, backing off after a
   * failure, or when nobody holds the lock.
   */
  ready(): Promise<boolean>;
  release(): Promise<void>;
}

/** Options of {@link superviseLeadership}. */
export interface LeadershipOptions {
  /** Lock time-to-live; the holder renews every third of it and a dead holder is replaced after it. */
  ttlMs: number;
  /** First wait after a failed start or a task that stopped on its own; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Told about every failure (log it, count it); secret-free messages are the caller's to make. */
  onFailure?: (what: 'start_failed' | 'stopped' | 'lost', err?: unknown) => void;
}

/**
 * Run `task` in exactly one process at a time, and keep the lock honest: a Redis key with a TTL is
 * held only while the task really runs. A start that fails, or a task that stops on its own,
 * releases the key (so another process can take over at once) and this process tries again after
 * a backoff; a holder paused past the TTL loses the key and stops its task. A process that does
 * not get the key checks again every third of the TTL and takes over when the holder dies.
 */
export function superviseLeadership(
  redis: Redis,
  key: string,
  task: LeaderTask,
  opts: LeadershipOptions,
): Leadership {
  const token = randomUUID();
  const ttl = opts.ttlMs;
  const firstBackoff = opts.backoffMs ?? Math.min(1000, ttl);
  const maxBackoff = opts.maxBackoffMs ?? 60_000;
  let state: LeaderState = 'standby';
  let backoff = firstBackoff;
  let retryAt = 0;
  let stopped = false;

  const releaseKey = () => redis.eval(RELEASE, 1, key, token).catch(() => 0);
  const fail = async (what: 'start_failed' | 'stopped' | 'lost', err?: unknown) => {
    opts.onFailure?.(what, err);
    await task.stop().catch(() => {});
    if (what !== 'lost') await releaseKey();
    if (what === 'lost') {
      state = 'standby';
      return;
    }
    state = 'backoff';
    retryAt = Date.now() + backoff;
    backoff = Math.min(backoff * 2, maxBackoff);
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    if (state === 'leading') {
      if (!task.running) return fail('stopped');
      const renewed = await redis.eval(RENEW, 1, key, token, String(ttl)).catch(() => 0);
      if (renewed !== 1) await fail('lost');
      return;
    }
    if (state === 'backoff' && Date.now() < retryAt) return;
    const got = await redis.set(key, token, 'PX', ttl, 'NX').catch(() => null);
    if (got !== 'OK') {
      state = state === 'backoff' ? 'backoff' : 'standby';
      return;
    }
    state = 'starting';
    try {
      await task.start();
    } catch (err) {
      if (!stopped) await fail('start_failed', err);
      return;
    }
    if (stopped) return;
    state = 'leading';
    backoff = firstBackoff;
  };

  let running: Promise<void> = tick();
  const timer = setInterval(() => {
    running = running.then(tick, tick);
  }, ttl / 3);
  timer.unref();
  return {
    get state() {
      return state;
    },
    async ready() {
      if (state === 'leading') return task.running;
      if (state !== 'standby') return false;
      const holder = await redis.get(key).catch(() => null);
      return holder !== null && holder !== token;
    },
    release: async () => {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
      if (state === 'leading' || state === 'starting') await task.stop().catch(() => {});
      await releaseKey();
      state = 'stopped';
    },
  };
}
