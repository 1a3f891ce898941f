/**
 * The composition root: config → database → core → adapters → queues and workers. The one
 * file of src/ that may import adapters/ and jobs/.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { type IngestRuntime, startIngestRuntime } from '../jobs/ingest-runtime.ts';
import type { Config } from './config/config.ts';
import { createCore } from './core.ts';
import { createLogger, registerSecrets } from './log.ts';
import { startHttpServer } from './http/http-server.ts';
import { createMetrics } from './http/metrics.ts';

/** Which parts of the service this process runs. */
export type Role = 'all' | 'bot' | 'worker' | 'scheduler';

/** A running service. */
export interface Service {
  httpUrl: string;
  ingest: IngestRuntime;
  stop(): Promise<void>;
}

/** Start the service; resolves once everything listens. */
export async function startService(config: Config, role: Role): Promise<Service> {
  registerSecrets([config.TELEGRAM_BOT_TOKEN, config.DISCORD_TOKEN]);
  const log = createLogger(config.LOG_LEVEL);
  const core = await createCore(config, log);
  const metrics = createMetrics();
  core.hooks.onFetchOutcome = (o) => {
    metrics.fetches.inc({ status: o.status });
    if (o.new > 0) metrics.articlesStored.inc(o.new);
    metrics.indexedArticles.set(core.journal.index.size);
  };
  const ingest = await startIngestRuntime(core, {
    scheduler: role === 'all' || role === 'scheduler',
    worker: role === 'all' || role === 'worker',
  });
  const http = await startHttpServer({
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    metrics,
    health: {
      mongodb: async () => (await core.db.ping()) === true,
      redis: () => ingest.ping(),
    },
    mount: async (app) => {
      const serverAdapter = new FastifyAdapter();
      serverAdapter.setBasePath('/dashboard');
      createBullBoard({
        queues: [new BullMQAdapter(ingest.fetchQueue), new BullMQAdapter(ingest.pollQueue)],
        serverAdapter,
      });
      await app.register(serverAdapter.registerPlugin(), { prefix: '/dashboard' });
    },
  });
  log.info({ role, http: http.url }, 'newsrelay started');
  return {
    httpUrl: http.url,
    ingest,
    stop: async () => {
      await http.close();
      await ingest.stop();
      await core.close();
    },
  };
}

/** Run until SIGINT/SIGTERM, then stop gracefully (workers finish their active jobs). */
export async function runService(config: Config, role: Role): Promise<void> {
  const service = await startService(config, role);
  process.stderr.write(`newsrelay serving (${role}); health at ${service.httpUrl}/healthz, queues at ${service.httpUrl}/dashboard\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await service.stop();
}
