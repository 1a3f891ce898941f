/**
 * The HTTP server over real sockets: liveness, readiness with named checks, and the queue
 * dashboard (bull-board over real BullMQ queues on the shared Redis) behind DASHBOARD_TOKEN.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountQueueDashboard } from '../../jobs/queue-dashboard.ts';
import { loadConfig } from '../../src/config/config.ts';
import { isLoopbackHost, mountDashboard } from '../../src/http/dashboard-guard.ts';
import { type ReadinessChecks, startHttpServer } from '../../src/http/http-server.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { deleteQueueKeys } from '../helpers/test-env.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test-${randomBytes(6).toString('hex')}`;
const TOKEN = 'dashboard-token-0123456789';
const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
let fetchQueue: Queue;
let pollQueue: Queue;
const servers: Array<{ close(): Promise<void> }> = [];

type Server = Awaited<ReturnType<typeof startHttpServer>>;

/** A listening server whose dashboard is configured by `env` (as the operator would). */
async function serverWith(env: Record<string, string>, readiness: ReadinessChecks = {}): Promise<Server> {
  const config = loadConfig(env);
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    metrics: createMetrics(),
    readiness,
    readinessTimeoutMs: 300,
    mount: async (app) => {
      await mountDashboard(app, config, (scope, basePath) =>
        mountQueueDashboard(scope, {
          basePath,
          queues: [fetchQueue, pollQueue],
          readOnly: config.DASHBOARD_READ_ONLY,
        }),
      );
    },
  });
  servers.push(server);
  return server;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

beforeAll(async () => {
  fetchQueue = new Queue('fetch', { connection, prefix });
  pollQueue = new Queue('poll', { connection, prefix });
  await fetchQueue.add('one', { sourceId: 's1' });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await fetchQueue?.close();
  await pollQueue?.close();
  connection.disconnect();
  await deleteQueueKeys(REDIS_URL, prefix);
});

describe('/healthz and /readyz', () => {
  it('/healthz says the process is alive even when a dependency is not ready', async () => {
    const s = await serverWith({}, { redis: async () => false });
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('/readyz answers 200 with every check when all pass', async () => {
    const ping = new Redis(REDIS_URL);
    const s = await serverWith(
      {},
      { redis: async () => (await ping.ping()) === 'PONG', other: async () => true },
    );
    const res = await fetch(`${s.url}/readyz`);
    ping.disconnect();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, checks: { redis: { ok: true }, other: { ok: true } } });
  });

  it('/readyz answers 503 naming what is not ready: false, thrown, or no answer in time', async () => {
    const s = await serverWith(
      {},
      {
        mongodb: async () => true,
        redis: async () => false,
        telegram: async () => {
          throw new Error('polling loop stopped');
        },
        discord: () => new Promise<boolean>(() => {}),
      },
    );
    const res = await fetch(`${s.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      checks: {
        mongodb: { ok: true },
        redis: { ok: false },
        telegram: { ok: false, error: 'polling loop stopped' },
        discord: { ok: false, error: 'no answer within 300 ms' },
      },
      notReady: ['redis', 'telegram', 'discord'],
    });
  });
});

describe('queue dashboard access', () => {
  it('with DASHBOARD_TOKEN: 401 without or with a wrong token, 200 with it (Bearer or Basic)', async () => {
    const s = await serverWith({ DASHBOARD_TOKEN: TOKEN, HTTP_HOST: '0.0.0.0' });
    const none = await fetch(`${s.url}/dashboard/`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="newsrelay dashboard"/);
    for (const authorization of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      basic('admin', 'wrong-password-0123456'),
      basic(TOKEN, ''),
      `Basic ${Buffer.from(TOKEN).toString('base64')}`,
      TOKEN,
    ]) {
      const res = await fetch(`${s.url}/dashboard/api/queues`, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
    const page = await fetch(`${s.url}/dashboard/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${s.url}/dashboard/api/queues`, {
      headers: { authorization: basic('ops', TOKEN) },
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['fetch', 'poll']);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('the guard covers only the dashboard: health and metrics need no token', async () => {
    const s = await serverWith({ DASHBOARD_TOKEN: TOKEN, HTTP_HOST: '0.0.0.0' });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(200);
  });

  it('without a token on a non-loopback HTTP_HOST the dashboard does not exist (404)', async () => {
    const s = await serverWith({ HTTP_HOST: '0.0.0.0' });
    expect((await fetch(`${s.url}/dashboard/`)).status).toBe(404);
    expect((await fetch(`${s.url}/dashboard/api/queues`)).status).toBe(404);
  });

  it('without a token on a loopback HTTP_HOST it is open (a developer machine)', async () => {
    const s = await serverWith({ HTTP_HOST: '127.0.0.1' });
    expect((await fetch(`${s.url}/dashboard/api/queues`)).status).toBe(200);
  });

  it('read-only by default: a write action is refused and changes nothing', async () => {
    const s = await serverWith({ DASHBOARD_TOKEN: TOKEN, HTTP_HOST: '0.0.0.0' });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const pause = await fetch(`${s.url}/dashboard/api/queues/fetch/pause`, { method: 'PUT', headers });
    expect(pause.status).toBe(405);
    const add = await fetch(`${s.url}/dashboard/api/queues/fetch/add`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'evil', data: {} }),
    });
    expect(add.status).toBe(405);
    expect(await fetchQueue.isPaused()).toBe(false);
    expect(await fetchQueue.count()).toBe(1);
  });

  it('DASHBOARD_READ_ONLY=false allows actions', async () => {
    const s = await serverWith({
      DASHBOARD_TOKEN: TOKEN,
      HTTP_HOST: '0.0.0.0',
      DASHBOARD_READ_ONLY: 'false',
    });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const pause = await fetch(`${s.url}/dashboard/api/queues/poll/pause`, { method: 'PUT', headers });
    expect(pause.status).toBe(200);
    expect(await pollQueue.isPaused()).toBe(true);
    await pollQueue.resume();
  });

  it('a short DASHBOARD_TOKEN is a configuration error', () => {
    expect(() => loadConfig({ DASHBOARD_TOKEN: 'short' })).toThrow(/DASHBOARD_TOKEN: at least 16 characters/);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['bot.example.com', false],
  ])('isLoopbackHost(%s) is %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
