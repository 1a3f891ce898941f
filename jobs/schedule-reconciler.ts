import type { Redis } from 'ioredis';
import { describeError } from '../src/errors.ts';
import type { Logger } from '../src/log.ts';

/** A running reconciler. */
export interface Reconciler {
  /** Check now (also runs after every Redis reconnect). */
  check(): Promise<boolean>;
  /** Stop checking; waits for a check in progress (it uses queues the caller closes next). */
  stop(): Promise<void>;
}

/**
 * Keeps Redis holding what MongoDB says it should. Redis holds only queue state, and a `FLUSHALL`,
 * a restart without persistence or a fail-over to an empty replica loses every job scheduler
 * (polling, retention, digests) while the service looks healthy. After each rebuild a marker key is
 * written; the reconciler checks it every `intervalMs` and whenever the connection comes back, and
 * rebuilds when it is gone. Rebuilding is idempotent (schedulers are upserts, catch-ups and
 * deliveries have stable job ids), so two schedulers checking at once do no harm.
 */
export function startReconciler(o: {
  connection: Redis;
  prefix: string;
  intervalMs: number;
  rebuild: () => Promise<void>;
  log: Logger;
}): Reconciler {
  const marker = `${o.prefix}:schedules-built`;
  let running: Promise<boolean> | null = null;
  let stopped = false;
  const check = (): Promise<boolean> => {
    if (stopped) return Promise.resolve(false);
    running ??= (async () => {
      try {
        if ((await o.connection.exists(marker)) === 1) return false;
        o.log.warn('Redis lost the schedules (wiped or failed over): rebuilding them from MongoDB');
        await o.rebuild();
        await o.connection.set(marker, new Date().toISOString());
        return true;
      } catch (err) {
        o.log.warn({ err: describeError(err) }, 'schedule reconciliation failed; will retry');
        return false;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const onReady = () => void check();
  o.connection.on('ready', onReady);
  const timer = setInterval(() => void check(), o.intervalMs);
  timer.unref();
  return {
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      o.connection.off('ready', onReady);
      await running;
    },
  };
}

/** Mark the schedules as built (after the start-up rebuild). */
export async function markSchedulesBuilt(connection: Redis, prefix: string): Promise<void> {
  await connection.set(`${prefix}:schedules-built`, new Date().toISOString());
}
