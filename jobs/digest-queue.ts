import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DigestService } from '../src/digest/digest-service.ts';
import { describeError } from '../src/errors.ts';
import type { Logger } from '../src/log.ts';
import { digestPayload, jobLock, QUEUE } from './queues.ts';

/** The digest queue. */
export function createDigestQueue(connection: Redis, prefix: string): Queue {
  return new Queue(QUEUE.digest, { connection, prefix });
}

/** The slot (epoch ms) a digest job is for: its payload, or the `repeat:<id>:<ms>` id of a scheduler job. */
export function slotOf(job: Job): number {
  const data = digestPayload.parse(job.data);
  if ('slot' in data && data.slot) return data.slot;
  const ms = Number(job.id?.split(':').pop());
  if (Number.isFinite(ms) && ms > 1e12) return ms;
  return Math.floor((job.timestamp + (job.opts.delay ?? 0)) / 60_000) * 60_000;
}

/** The digest worker: thin — validate and build a group's or one chat's digests (the digest service records and enqueues). */
export function startDigestWorker(o: {
  connection: Redis;
  prefix: string;
  digests: DigestService;
  log: Logger;
  /** JOB_LOCK: how soon a dead worker's digest jobs run elsewhere. */
  lockMs: number;
  /** Runs a group's build as bulk work (the process's heap policy, src/heap-growth.ts). */
  bulkWork?: <T>(work: () => Promise<T>) => Promise<T>;
}): Worker {
  const bulk = o.bulkWork ?? ((work) => work());
  const worker = new Worker(
    QUEUE.digest,
    async (job) => {
      const data = digestPayload.parse(job.data);
      if ('time' in data) return bulk(() => o.digests.runGroup(data.time, data.timezone, slotOf(job)));
      return o.digests.runScheduled(data.chatKey, slotOf(job));
    },
    { connection: o.connection, prefix: o.prefix, concurrency: 8, ...jobLock(o.lockMs) },
  );
  worker.on('failed', (job, err) => o.log.warn({ job: job?.id, err: describeError(err) }, 'digest failed'));
  worker.on('error', (err) => o.log.warn({ err: describeError(err) }, 'digest worker error'));
  return worker;
}
