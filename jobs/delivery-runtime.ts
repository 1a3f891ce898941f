import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../src/config/config.ts';
import type { Core } from '../src/core.ts';
import { DeliveryService } from '../src/delivery/delivery-service.ts';
import type { PlatformSender } from '../src/delivery/platform-sender.ts';
import { DigestService } from '../src/digest/digest-service.ts';
import type { Article, Platform } from '../src/domain/types.ts';
import { describeError } from '../src/errors.ts';
import { ChatStore } from '../src/store/chat-store.ts';
import { DeliveryStore } from '../src/store/delivery-store.ts';
import { ChatSchedules } from './chat-schedules.ts';
import { createChatGate } from './deliver-chat-gate.ts';
import { DeliverQueues } from './deliver-queue.ts';
import { startDeliverWorker } from './deliver-worker.ts';
import { createDigestQueue, startDigestWorker } from './digest-queue.ts';

/** Queue of the periodic sweep that re-enqueues unfinished deliveries. */
const SWEEP_QUEUE = 'delivery-sweep';
const SWEEP_PATTERN = '*/10 * * * *';

/** Options of {@link createDeliveryRuntime}. */
export interface DeliveryRuntimeOptions {
  core: Core;
  config: Config;
  /** An ioredis connection with `maxRetriesPerRequest: null`; one is opened from REDIS_URL when omitted. */
  connection?: Redis;
}

/** What {@link DeliveryRuntime.start} runs in this process. */
export interface DeliveryRuntimeStart {
  /** Platform senders (e.g. `telegram.sender`). */
  senders: PlatformSender[];
  /** Run the digest and deliver workers (default true). */
  workers?: boolean;
  /** Rebuild schedulers from MongoDB, catch up missed digests and re-enqueue unfinished deliveries (default true). */
  rebuild?: boolean;
}

/** Digests, schedules and the rate-limited delivery queues. */
export interface DeliveryRuntime {
  readonly chats: ChatStore;
  readonly deliveries: DeliveryStore;
  readonly digests: DigestService;
  readonly schedules: ChatSchedules;
  /** Assign to `core.hooks.onNewArticles`: enqueues instant deliveries. */
  readonly onNewArticles: (articles: Article[]) => Promise<void>;
  start(opts: DeliveryRuntimeStart): Promise<void>;
  /** Close workers (waiting for active jobs) and queues. */
  stop(): Promise<void>;
}

/**
 * Build the delivery runtime. Enqueueing works at once (bot processes need it for /digest and
 * settings changes); `start()` adds workers and the start-up rebuild.
 */
export function createDeliveryRuntime(o: DeliveryRuntimeOptions): DeliveryRuntime {
  const { core, config } = o;
  const ownConnection = !o.connection;
  const connection = o.connection ?? new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = config.QUEUE_PREFIX;
  const chats = new ChatStore(core.db.models);
  const deliveries = new DeliveryStore(core.db.models);
  const queues = new DeliverQueues(connection, prefix);
  const digestQueue: Queue = createDigestQueue(connection, prefix);
  const schedules = new ChatSchedules(digestQueue, chats);
  const digests = new DigestService({
    chats,
    deliveries,
    journal: core.journal,
    articles: core.articles,
    sourceNames: () => core.headlines.sourceNames(),
    queue: queues,
    firstLookbackMs: config.FIRST_DIGEST_LOOKBACK,
  });
  const workers: Worker[] = [];
  let sweepQueue: Queue | null = null;
  return {
    chats,
    deliveries,
    digests,
    schedules,
    onNewArticles: async (articles) => {
      try {
        await digests.instant(articles);
      } catch (err) {
        core.log.warn({ err: describeError(err) }, 'instant delivery failed');
      }
    },
    async start(s) {
      const senders = new Map<Platform, PlatformSender>(s.senders.map((x) => [x.platform, x]));
      const service = new DeliveryService({ chats, deliveries, senders, queue: queues, schedules });
      if (s.workers ?? true) {
        const gate = createChatGate(connection, {
          prefix,
          globalPerSecond: { telegram: config.TELEGRAM_GLOBAL_RATE, discord: config.DISCORD_GLOBAL_RATE },
        });
        workers.push(startDigestWorker({ connection, prefix, digests, log: core.log }));
        for (const sender of senders.values()) {
          const rate =
            sender.platform === 'telegram' ? config.TELEGRAM_GLOBAL_RATE : config.DISCORD_GLOBAL_RATE;
          workers.push(
            startDeliverWorker({
              platform: sender.platform,
              connection,
              prefix,
              queues,
              service,
              gate,
              ratePerSecond: rate,
              log: core.log,
            }),
          );
        }
      }
      if (s.rebuild ?? true) {
        const rebuilt = await schedules.rebuild();
        const requeued = await service.requeuePending();
        core.log.info({ ...rebuilt, requeued }, 'delivery runtime rebuilt from MongoDB');
        // Deliveries whose retries ran out (a long outage) are retried by a periodic sweep,
        // not only at the next start-up.
        sweepQueue = new Queue(SWEEP_QUEUE, { connection, prefix });
        // A cron pattern, not `every`: an `every` scheduler fires at once, racing the start-up requeue.
        await sweepQueue.upsertJobScheduler(
          'deliveries-sweep',
          { pattern: SWEEP_PATTERN },
          { name: 'sweep' },
        );
        const sweeper = new Worker(SWEEP_QUEUE, async () => ({ requeued: await service.requeuePending() }), {
          connection,
          prefix,
        });
        sweeper.on('error', (err) => core.log.warn({ err: describeError(err) }, 'delivery sweep error'));
        workers.push(sweeper);
      }
    },
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      workers.length = 0;
      await queues.close();
      await digestQueue.close();
      await sweepQueue?.close();
      if (ownConnection) await connection.quit();
    },
  };
}
