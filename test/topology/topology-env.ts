/**
 * What the topology tests share beyond spawning: the environment every role gets, BullMQ queue
 * counts read from the test process, and the check that no process wrote a bot token.
 */
import { randomBytes } from 'node:crypto';
import { type JobType, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { OwnServers } from './own-servers.ts';
import type { ProcessSet } from './process-harness.ts';

/**
 * Timings the topology runs with (production defaults: lock TTL 15 s, poll tick 30 s, reconcile
 * 60 s, job lock 30 s). The lock TTL stays well above the renewal period (TTL/3) even on a loaded 2-core machine.
 */
export const TIMING = {
  leaderLockTtlMs: 8_000,
  pollTickMs: 5_000,
  reconcileMs: 5_000,
  jobLockMs: 10_000,
} as const;

/** A bot token the fakes accept and that can be searched for in logs unambiguously. */
export function distinctiveTelegramToken(): string {
  return `${7_000_000 + Math.floor(Math.random() * 999_999)}:topo-${randomBytes(12).toString('hex')}`;
}

/**
 * The explicit environment of a topology's processes: own servers, a fresh database and queue
 * prefix, an ephemeral HTTP port, private feeds allowed, logs at info (read on failure).
 */
export function roleEnv(servers: OwnServers, extra: Record<string, string> = {}): Record<string, string> {
  const id = randomBytes(5).toString('hex');
  return {
    MONGODB_URI: servers.mongoUri(`topology_${id}`),
    REDIS_URL: servers.redisUrl,
    QUEUE_PREFIX: `topo-${id}`,
    HTTP_PORT: '0',
    ALLOW_PRIVATE_NETWORK_FEEDS: 'true',
    LOG_LEVEL: 'info',
    DEFAULT_LOCALE: 'en',
    DEFAULT_TIMEZONE: 'UTC',
    // Start-up gives up on an unanswering server after this (the outage test restarts FerretDB).
    SERVICES_WAIT: '30s',
    LEADER_LOCK_TTL: `${TIMING.leaderLockTtlMs}ms`,
    POLL_TICK: `${TIMING.pollTickMs}ms`,
    RECONCILE_INTERVAL: `${TIMING.reconcileMs}ms`,
    JOB_LOCK: `${TIMING.jobLockMs}ms`,
    ...extra,
  };
}

/** Job counts of queues under a prefix, read from the test process. */
export interface QueueWatch {
  /**
   * Jobs not finished (waiting, active, delayed, prioritized, waiting-children), summed over the
   * queues; delayed jobs of `schedulerQueues` are left out (a job scheduler's next run is one).
   */
  pending(schedulerQueues?: string[]): Promise<number>;
  /** Job counts by state of every watched queue (for failure messages). */
  counts(): Promise<Record<string, Record<string, number>>>;
  /** Active jobs of one queue. */
  active(queue: string): Promise<number>;
  close(): Promise<void>;
}

/** Watch `names` under `prefix` on `redisUrl`. */
export function watchQueues(redisUrl: string, prefix: string, names: string[]): QueueWatch {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  const queues = new Map(names.map((n) => [n, new Queue(n, { connection, prefix })]));
  return {
    async pending(schedulerQueues = []) {
      let total = 0;
      for (const [name, q] of queues) {
        const states: JobType[] = ['waiting', 'active', 'prioritized', 'waiting-children'];
        if (!schedulerQueues.includes(name)) states.push('delayed');
        const c = await q.getJobCounts(...states);
        total += Object.values(c).reduce((a, b) => a + b, 0);
      }
      return total;
    },
    async counts() {
      const out: Record<string, Record<string, number>> = {};
      for (const [name, q] of queues) out[name] = await q.getJobCounts();
      return out;
    },
    async active(name) {
      const q = queues.get(name);
      if (!q) throw new Error(`not watching ${name}`);
      return q.getActiveCount();
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/** The lines of any process output that contain one of `secrets` (none, or the test fails). */
export function linesWithSecrets(set: ProcessSet, secrets: string[]): string[] {
  return linesContaining(set, secrets);
}

/** Output lines of any process of the set that contain one of `needles`, headed by the process's name. */
export function linesContaining(set: ProcessSet, needles: string[]): string[] {
  const found: string[] = [];
  for (const p of set.processes) {
    for (const line of p.output().split('\n')) {
      if (needles.some((s) => line.includes(s))) found.push(`${p.name}: ${line.slice(0, 300)}`);
    }
  }
  return found;
}
