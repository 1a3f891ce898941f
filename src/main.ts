/**
 * The composition root: config → database → core → adapters → queues and workers. The one
 * file of src/ that may import adapters/ and jobs/.
 */
import type { DiscordAdapter } from '../adapters/discord/index.ts';
import type { TelegramAdapter } from '../adapters/telegram/index.ts';
import { createDeliveryPorts, type DeliveryPorts, startDeliveryRuntime } from '../jobs/delivery-runtime.ts';
import { type IngestRuntime, startIngestRuntime } from '../jobs/ingest-runtime.ts';
import { type Leadership, type LeaderTask, superviseLeadership } from '../jobs/leader-lock.ts';
import { mountQueueDashboard } from '../jobs/queue-dashboard.ts';
import { createRedis } from '../jobs/queues.ts';
import { markSchedulesBuilt, type Reconciler, startReconciler } from '../jobs/schedule-reconciler.ts';
import type { Config } from './config/config.ts';
import { type Core, createCore } from './core.ts';
import type { PlatformSender } from './delivery/platform-sender.ts';
import { describeError } from './errors.ts';
import { boundHeapGrowth, type HeapGrowth } from './heap-growth.ts';
import { mountDashboard } from './http/dashboard-guard.ts';
import { startHttpServer } from './http/http-server.ts';
import { createMetrics } from './http/metrics.ts';
import { createLogger, type Logger, redactSecrets, registerSecrets } from './log.ts';

/** Which parts of the service this process runs. */
export type Role = 'all' | 'bot' | 'worker' | 'scheduler';

/** A running service. */
export interface Service {
  httpUrl: string;
  core: Core;
  ingest: IngestRuntime;
  /** Digest schedulers and deliver queues (the core's queue ports). */
  ports: DeliveryPorts;
  telegram: TelegramAdapter | null;
  discord: DiscordAdapter | null;
  stop(): Promise<void>;
}

/**
 * Start the service; resolves once everything listens. `heap` is the process's heap policy
 * (`runService` starts one): digest group builds run under it as bulk work.
 */
export async function startService(
  config: Config,
  role: Role,
  opts: { heap?: HeapGrowth } = {},
): Promise<Service> {
  registerSecrets([config.TELEGRAM_BOT_TOKEN, config.DISCORD_TOKEN]);
  const log = createLogger(config.LOG_LEVEL);
  let queueDepths: () => Promise<Record<string, number>> = async () => ({});
  const metrics = createMetrics({ queueDepths: () => queueDepths() });
  const connection = createRedis(config.REDIS_URL);
  const ports = createDeliveryPorts(connection, config.QUEUE_PREFIX);
  const core: Core = await createCore(config, log, {
    holdsIndex: role !== 'scheduler',
    schedules: ports.schedules,
    deliveryQueue: ports.deliveries,
    // The core tells the source's chats itself (as deliveries); this is the operator's record.
    onSourceDisabled: (source) =>
      log.warn({ source: source.id, name: source.name }, 'source disabled after repeated failures'),
    onFetchOutcome: (o) => {
      metrics.fetches.inc({ status: o.status });
      if (o.new > 0) metrics.articlesStored.inc(o.new);
      metrics.indexedArticles.set(core.indexedArticles());
    },
  });
  const runs = {
    scheduler: role === 'all' || role === 'scheduler',
    worker: role === 'all' || role === 'worker',
    bot: role === 'all' || role === 'bot',
  };
  const ingest = await startIngestRuntime(core, { scheduler: runs.scheduler, worker: runs.worker });
  const answered = (platform: string) => (ms: number) =>
    metrics.interactionSeconds.observe({ platform }, ms / 1000);
  // A platform's client library is loaded only where that platform is configured: discord.js
  // alone is about 36 MB of a process's memory.
  const telegram = config.TELEGRAM_BOT_TOKEN
    ? (await import('../adapters/telegram/index.ts')).createTelegramAdapter({
        core,
        config,
        onAnswered: answered('telegram'),
      })
    : null;
  const discord =
    config.DISCORD_TOKEN && config.DISCORD_APPLICATION_ID
      ? (await import('../adapters/discord/index.ts')).createDiscordAdapter({
          config,
          core,
          onAnswered: answered('discord'),
        })
      : null;
  const senders: PlatformSender[] = [telegram?.sender, discord?.sender].filter((x): x is PlatformSender =>
    Boolean(x),
  );
  const delivery = await startDeliveryRuntime({
    core,
    config,
    ports,
    connection,
    senders,
    workers: runs.worker,
    sweep: runs.scheduler,
    ...(opts.heap ? { bulkWork: opts.heap.relaxed.bind(opts.heap) } : {}),
    onOutcome: (platform, outcome) => {
      metrics.deliveries.inc({ platform, outcome });
      if (outcome === 'rate_limited') metrics.rateLimited.inc({ platform });
    },
  });
  const queues = [
    ...ingest.queues,
    ports.schedules.queue,
    ...senders.map((x) => ports.deliveries.queue(x.platform)),
  ];
  queueDepths = async () => {
    const out: Record<string, number> = {};
    for (const q of queues) {
      const c = await q.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      out[q.name] = Object.values(c).reduce((a, b) => a + b, 0);
    }
    return out;
  };

  const webhook = Boolean(config.TELEGRAM_WEBHOOK_URL);
  let schedulesBuilt = false;
  const leaderships = new Map<'telegram' | 'discord', Leadership>();
  const leaderReady = async (name: 'telegram' | 'discord') => (await leaderships.get(name)?.ready()) ?? false;
  const http = await startHttpServer({
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    metrics,
    readiness: {
      mongodb: () => core.ping(),
      redis: () => ingest.ping(),
      ...(runs.scheduler ? { schedules: async () => schedulesBuilt } : {}),
      // A bot process is ready when its adapter runs here, or as a standby while another holds it.
      ...(runs.bot && telegram
        ? { telegram: () => (webhook ? Promise.resolve(telegram.running) : leaderReady('telegram')) }
        : {}),
      ...(runs.bot && discord ? { discord: () => leaderReady('discord') } : {}),
    },
    mount: async (app) => {
      await mountDashboard(app, config, (scope, basePath) =>
        mountQueueDashboard(scope, {
          basePath,
          queues,
          readOnly: config.DASHBOARD_READ_ONLY,
        }),
      );
      const handler = telegram?.webhookHandler;
      if (runs.bot && handler && telegram.webhookPath) {
        app.post(telegram.webhookPath, async (req, reply) => {
          reply.hijack();
          // telegraf reads an already parsed body from req.body.
          (req.raw as typeof req.raw & { body?: unknown }).body = req.body;
          await handler(req.raw, reply.raw);
        });
      }
    },
  });
  // Telegram allows one long-polling client per bot, and two gateway sessions would answer
  // every Discord interaction twice: in a bot role, each adapter runs where it holds the lock.
  if (runs.bot && telegram) {
    if (webhook) await telegram.start();
    else leaderships.set('telegram', lead(connection, config, 'telegram-poller', telegram, log));
  }
  if (runs.bot && discord)
    leaderships.set('discord', lead(connection, config, 'discord-gateway', discord, log));
  let reconciler: Reconciler | null = null;
  let rebuilding: Promise<void> = Promise.resolve();
  if (runs.scheduler) {
    // Rebuild from MongoDB after the HTTP server answers: with many chats it takes a while, and a
    // process that does not answer /healthz meanwhile would be restarted by its orchestrator. A
    // failed rebuild leaves no marker, so the reconciler's first check tries again.
    rebuilding = delivery
      .rebuild()
      .then(() => markSchedulesBuilt(connection, config.QUEUE_PREFIX))
      .then(
        () => {
          schedulesBuilt = true;
        },
        (err: unknown) => log.error({ err: describeError(err) }, 'rebuilding schedules from MongoDB failed'),
      )
      .finally(() => {
        reconciler = startReconciler({
          connection,
          prefix: config.QUEUE_PREFIX,
          intervalMs: config.RECONCILE_INTERVAL,
          rebuild: async () => {
            await ingest.ensureSchedules();
            await delivery.rebuild();
            schedulesBuilt = true;
          },
          log,
        });
      });
  }
  log.info({ role, http: http.url }, 'newsrelay started');
  return {
    httpUrl: http.url,
    core,
    ingest,
    ports,
    telegram,
    discord,
    stop: async () => {
      // A rebuild or a lock renewal stuck on an unanswering server must not hold up a shutdown.
      const bounded = (what: string, p: Promise<unknown>) =>
        Promise.race([
          p,
          new Promise<void>((resolve) =>
            setTimeout(() => {
              log.warn({ step: what }, 'shutdown step took over 10 s; going on');
              resolve();
            }, 10_000).unref(),
          ),
        ]);
      await bounded('rebuild', rebuilding);
      await bounded('reconciler', (reconciler as Reconciler | null)?.stop() ?? Promise.resolve());
      await bounded('locks', Promise.all([...leaderships.values()].map((l) => l.release())));
      await telegram?.stop();
      await discord?.stop();
      await http.close();
      await ingest.stop();
      await delivery.stop();
      await ports.close();
      await connection.quit();
      await core.close();
    },
  };
}

function lead(
  redis: ReturnType<typeof createRedis>,
  config: Config,
  name: string,
  task: LeaderTask,
  log: Logger,
): Leadership {
  return superviseLeadership(redis, `${config.QUEUE_PREFIX}:leader:${name}`, task, {
    ttlMs: config.LEADER_LOCK_TTL,
    onFailure: (what, err) =>
      log.error(
        { adapter: name, err: err === undefined ? undefined : redactSecrets(describeError(err)) },
        what === 'start_failed'
          ? 'adapter failed to start; lock released, retrying with backoff'
          : what === 'stopped'
            ? 'adapter stopped on its own; lock released, restarting with backoff'
            : 'adapter lost its lock; stopped',
      ),
  });
}

/** Run until SIGINT/SIGTERM, then stop gracefully (workers finish their active jobs). */
export async function runService(config: Config, role: Role): Promise<void> {
  const heap = boundHeapGrowth(config.HEAP_GROWTH_PERCENT);
  const service = await startService(config, role, { heap });
  process.stderr.write(
    `newsrelay serving (${role}); health at ${service.httpUrl}/healthz, queues at ${service.httpUrl}/dashboard\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await service.stop();
  heap.stop();
}
