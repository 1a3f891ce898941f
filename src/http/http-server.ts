import Fastify, { type FastifyInstance } from 'fastify';
import { redactSecrets } from '../log.ts';
import type { Metrics } from './metrics.ts';

/**
 * Named readiness checks for `/readyz` (MongoDB, Redis, each adapter this process runs). A
 * check resolves true when its part is ready; false, a rejection or no answer in time means not.
 */
export type ReadinessChecks = Record<string, () => Promise<boolean>>;

/** One check's outcome in `/readyz`'s body. */
export interface CheckResult {
  ok: boolean;
  /** Why not, when it threw or timed out (secrets redacted, at most 200 characters). */
  error?: string;
}

/** `/readyz`'s body: 200 when `ready`, 503 otherwise with `notReady` naming the failing checks. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
  notReady?: string[];
}

const DEFAULT_CHECK_TIMEOUT_MS = 3000;

async function runCheck(check: () => Promise<boolean>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const answer = check().then(
    (ok): CheckResult => (ok ? { ok: true } : { ok: false }),
    (err: unknown): CheckResult => ({
      ok: false,
      error: redactSecrets(err instanceof Error ? err.message : String(err)).slice(0, 200),
    }),
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run every check at once, each bounded by `timeoutMs`. */
export async function checkReadiness(
  checks: ReadinessChecks,
  timeoutMs = DEFAULT_CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const results = Object.fromEntries(
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
    ),
  );
  const notReady = Object.keys(results).filter((name) => !results[name]?.ok);
  return notReady.length === 0
    ? { ready: true, checks: results }
    : { ready: false, checks: results, notReady };
}

/**
 * The service's HTTP server: `/healthz` (200 while the process runs: liveness), `/readyz`
 * (200 when every readiness check passes, 503 naming those that do not), `/metrics`
 * (Prometheus), plus whatever the composition root mounts (queue dashboard, Telegram webhook).
 */
export async function startHttpServer(opts: {
  host: string;
  port: number;
  metrics: Metrics;
  readiness: ReadinessChecks;
  /** Bound of each readiness check (default 3 s). */
  readinessTimeoutMs?: number;
  mount?: (app: FastifyInstance) => Promise<void>;
}): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.get('/healthz', async (_req, reply) => reply.send({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const report = await checkReadiness(opts.readiness, opts.readinessTimeoutMs);
    return reply.code(report.ready ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics()),
  );
  if (opts.mount) await opts.mount(app);
  const url = await app.listen({ host: opts.host, port: opts.port });
  return { app, url, close: () => app.close() };
}
