import Fastify, { type FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';

/** Health checks the server runs on `/healthz`; each returns true when its dependency answers. */
export type HealthChecks = Record<string, () => Promise<boolean>>;

/**
 * The service's HTTP server: `/healthz` (200 when every dependency answers, 503 otherwise),
 * `/metrics` (Prometheus), plus whatever the composition root mounts (queue dashboard,
 * Telegram webhook).
 */
export async function startHttpServer(opts: {
  host: string;
  port: number;
  metrics: Metrics;
  health: HealthChecks;
  mount?: (app: FastifyInstance) => Promise<void>;
}): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.get('/healthz', async (_req, reply) => {
    const results = Object.fromEntries(
      await Promise.all(
        Object.entries(opts.health).map(async ([k, check]) => [k, await check().catch(() => false)] as const),
      ),
    );
    const ok = Object.values(results).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ok, ...results });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics()),
  );
  if (opts.mount) await opts.mount(app);
  const url = await app.listen({ host: opts.host, port: opts.port });
  return { app, url, close: () => app.close() };
}
