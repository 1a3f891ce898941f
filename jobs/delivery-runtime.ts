import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config/config.ts';
import type { Core } from '../src/core.ts';
import type { PlatformSender } from '../src/delivery/platform-sender.ts';
import type { Platform } from '../src/domain/types.ts';
import { describeError } from '../src/errors.ts';
import { ChatSchedules } from './chat-schedules.ts';
import { CHAT_GAP_MS, createChatGate } from './deliver-chat-gate.ts';
import { DeliverQueues } from './deliver-queue.ts';
import { startDeliverWorker } from './deliver-worker.ts';
import { createDigestQueue, startDigestWorker } from './digest-queue.ts';
import { QUEUE } from './queues.ts';

const SWEEP_PATTERN = '*/10 * * * *';

/**
 * The queues the core's ports are made of: per-chat digest schedulers and the deliver queues.
 * Built before the core (it is created with them), usable without any worker (a bot process
 * enqueues `/digest` and keeps schedules in step with settings).
 */
export interface DeliveryPorts {
  /** The Redis connection the queues use. */
  readonly connection: Redis;
  readonly schedules: ChatSchedules;
  readonly deliveries: DeliverQueues;
  close(): Promise<void>;
}

/** The delivery ports on `connection` (an ioredis connection with `maxRetriesPerRequest: null`). */
export function createDeliveryPorts(connection: Redis, prefix: string): DeliveryPorts {
  const deliveries = new DeliverQueues(connection, prefix);
  const digestQueue = createDigestQueue(connection, prefix);
  return {
    connection,
    schedules: new ChatSchedules(digestQueue),
    deliveries,
    close: async () => {
      await deliveries.close();
      await digestQueue.close();
    },
  };
}

/** What {@link startDeliveryRuntime} runs in this process. */
export interface DeliveryRuntimeOptions {
  core: Core;
  config: Config;
  ports: DeliveryPorts;
  connection: Redis;
  /** Platform senders (e.g. `telegram.sender`). */
  senders: PlatformSender[];
  /** Run the digest and deliver workers. */
  workers: boolean;
  /** Observes each delivery part's outcome (metrics). */
  onOutcome?: (platform: string, outcome: string) => void;
  /** Run the periodic sweep that re-enqueues unfinished deliveries (the scheduler role). */
  sweep: boolean;
  /** Runs digest group builds and deliveries as bulk work (the process's heap policy, src/heap-growth.ts). */
  bulkWork?: <T>(work: () => Promise<T>, lingerMs?: number) => Promise<T>;
}

/** Running delivery workers. */
export interface DeliveryRuntime {
  /**
   * Recreate every per-chat digest scheduler and the sweep from MongoDB, catch up missed digests
   * and re-enqueue unfinished deliveries (start-up, and after Redis lost its data).
   */
  rebuild(): Promise<void>;
  /** Close workers (waiting for active jobs) and queues. */
  stop(): Promise<void>;
}

/** Start the digest and deliver workers and the scheduler role's sweep; `rebuild()` is the caller's to run. */
export async function startDeliveryRuntime(o: DeliveryRuntimeOptions): Promise<DeliveryRuntime> {
  const { core, config, connection, ports } = o;
  const prefix = config.QUEUE_PREFIX;
  const senders = new Map<Platform, PlatformSender>(o.senders.map((x) => [x.platform, x]));
  const workers: Worker[] = [];
  let sweepQueue: Queue | null = null;
  let gateConnection: Redis | null = null;
  if (o.workers) {
    // The gate has a connection of its own that sends the calls of one event-loop turn in one
    // write: a paid broadcast calls it ~1,000 times a second, and socket writes were an eighth of
    // the worker's CPU. BullMQ's connection is left as it is (autopipelining under BullMQ was
    // reported to lose jobs' data).
    gateConnection = connection.duplicate({ enableAutoPipelining: true });
    const gate = createChatGate(gateConnection, {
      prefix,
      globalPerSecond: { telegram: config.TELEGRAM_GLOBAL_RATE, discord: config.DISCORD_GLOBAL_RATE },
    });
    workers.push(
      startDigestWorker({
        connection,
        prefix,
        digests: core.digests,
        log: core.log,
        lockMs: config.JOB_LOCK,
        ...(o.bulkWork ? { bulkWork: o.bulkWork } : {}),
      }),
    );
    for (const sender of senders.values()) {
      const rate = sender.platform === 'telegram' ? config.TELEGRAM_GLOBAL_RATE : config.DISCORD_GLOBAL_RATE;
      workers.push(
        startDeliverWorker({
          sender,
          connection,
          prefix,
          queues: ports.deliveries,
          service: core.deliveries,
          gate,
          partGapMs: CHAT_GAP_MS,
          ratePerSecond: rate,
          lockMs: config.JOB_LOCK,
          log: core.log,
          ...(o.onOutcome ? { onOutcome: o.onOutcome } : {}),
          ...(o.bulkWork ? { bulkWork: o.bulkWork } : {}),
        }),
      );
    }
  }
  const rebuild = async () => {
    const rebuilt = await ports.schedules.rebuild(core.chats);
    const requeued = await core.deliveries.requeuePending(senders);
    sweepQueue ??= new Queue(QUEUE.sweep, { connection, prefix });
    // A cron pattern, not `every`: an `every` scheduler fires at once, racing the start-up requeue.
    await sweepQueue.upsertJobScheduler('deliveries-sweep', { pattern: SWEEP_PATTERN }, { name: 'sweep' });
    core.log.info({ ...rebuilt, requeued }, 'delivery schedules rebuilt from MongoDB');
  };
  if (o.sweep) {
    // Deliveries whose retries ran out (a long outage) are retried by a periodic sweep,
    // not only at the next start-up.
    const sweeper = new Worker(
      QUEUE.sweep,
      async () => ({ requeued: await core.deliveries.requeuePending(senders) }),
      { connection, prefix },
    );
    sweeper.on('error', (err) => core.log.warn({ err: describeError(err) }, 'delivery sweep error'));
    workers.push(sweeper);
  }
  return {
    rebuild,
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      workers.length = 0;
      await sweepQueue?.close();
      await gateConnection?.quit();
      gateConnection = null;
    },
  };
}
