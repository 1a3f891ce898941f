import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Core } from '../src/core.ts';
import { enqueueDueSources } from './poll-scheduler.ts';
import { createRedis, type FetchPayload, fetchPayload, QUEUE } from './queues.ts';

/** Running ingest queues and workers. */
export interface IngestRuntime {
  readonly fetchQueue: Queue<FetchPayload>;
  readonly pollQueue: Queue;
  /** Every queue this runtime opened (the dashboard shows them). */
  readonly queues: Queue[];
  /** Run one poll tick now (find due sources, enqueue their fetches). */
  tick(): Promise<{ due: number; enqueued: number }>;
  /** Create (or re-create, after Redis lost them) the poll, retention and compaction schedules. */
  ensureSchedules(): Promise<void>;
  /** True when Redis answers. */
  ping(): Promise<boolean>;
  stop(): Promise<void>;
}

/** What to start: the scheduler (poll tick, retention), the workers (fetch), or both. */
export interface IngestRuntimeOptions {
  scheduler: boolean;
  worker: boolean;
  /** Poll tick interval (default POLL_TICK); tests shorten it. */
  tickMs?: number;
}

/**
 * Start polling as BullMQ jobs: a repeatable `poll` tick enqueues one `fetch` job per due
 * source; fetch workers call the core's ingest; a daily `retention` job deletes old articles and
 * deliveries, and an hourly `compact` job folds the search journal into segments.
 */
export async function startIngestRuntime(core: Core, opts: IngestRuntimeOptions): Promise<IngestRuntime> {
  const { config } = core;
  const connection: Redis = createRedis(config.REDIS_URL);
  const prefix = config.QUEUE_PREFIX;
  const fetchQueue = new Queue<FetchPayload>(QUEUE.fetch, { connection, prefix });
  const pollQueue = new Queue(QUEUE.poll, { connection, prefix });
  const retentionQueue = new Queue(QUEUE.retention, { connection, prefix });
  const compactionQueue = new Queue(QUEUE.compaction, { connection, prefix });
  const workers: Worker[] = [];
  const tick = () => enqueueDueSources(core.sources, fetchQueue);

  const ensureSchedules = async () => {
    await pollQueue.upsertJobScheduler(
      'poll-tick',
      { every: opts.tickMs ?? config.POLL_TICK },
      { name: 'tick' },
    );
    await retentionQueue.upsertJobScheduler(
      'retention-daily',
      { pattern: '17 4 * * *', tz: 'UTC' },
      { name: 'retention' },
    );
    await compactionQueue.upsertJobScheduler(
      'compact-hourly',
      { pattern: '41 * * * *', tz: 'UTC' },
      { name: 'compact' },
    );
    // Versions before the compaction queue scheduled compaction on the retention queue.
    await retentionQueue.removeJobScheduler('compact-hourly');
  };

  if (opts.scheduler) {
    await ensureSchedules();
    workers.push(
      new Worker(QUEUE.poll, async () => tick(), { connection: createRedis(config.REDIS_URL), prefix }),
      new Worker(QUEUE.retention, async () => core.retention.run(), {
        connection: createRedis(config.REDIS_URL),
        prefix,
      }),
      new Worker(QUEUE.compaction, async () => ({ segments: await core.retention.compact() }), {
        connection: createRedis(config.REDIS_URL),
        prefix,
      }),
    );
  }
  if (opts.worker) {
    workers.push(
      new Worker<FetchPayload>(
        QUEUE.fetch,
        async (job: Job<FetchPayload>) => {
          const parsed = fetchPayload.safeParse(job.data);
          if (!parsed.success) throw new UnrecoverableError(`bad fetch payload: ${parsed.error.message}`);
          return core.ingest.fetchById(parsed.data.sourceId);
        },
        { connection: createRedis(config.REDIS_URL), prefix, concurrency: config.FETCH_CONCURRENCY },
      ),
    );
  }
  for (const w of workers)
    w.on('error', (err) => core.log.error({ err: err.message }, 'ingest worker error'));

  return {
    fetchQueue,
    pollQueue,
    queues: [pollQueue, fetchQueue, retentionQueue, compactionQueue],
    tick,
    ensureSchedules,
    ping: async () => (await connection.ping()) === 'PONG',
    stop: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([
        fetchQueue.close(),
        pollQueue.close(),
        retentionQueue.close(),
        compactionQueue.close(),
      ]);
      await Promise.all(workers.map((w) => w.disconnect()));
      connection.disconnect();
    },
  };
}
