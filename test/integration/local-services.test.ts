/**
 * `serve` and `npm run services` never hijack a port: a MongoDB / Redis the operator named is
 * waited for, not replaced; a managed Redis that refuses CONFIG is accepted. Real redis-server
 * processes on free ports, the shared FerretDB, and the real commands as child processes.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { explicitKeys, loadConfig } from '../../src/config/config.ts';
import { ensureLocalServices, planLocalServices } from '../../src/local-services.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MONGO = `mongodb://127.0.0.1:27017/test_services_${randomBytes(4).toString('hex')}`;
const children: ChildProcess[] = [];
// GitHub's runners (the fork workflow) have Docker's Redis but no redis-server binary.
const noRedisServer = spawnSync('redis-server', ['--version']).status !== 0;
const portsToFree: number[] = [];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A redis-server of this test's own, in the foreground so the test can end it by pid. */
async function startRedis(...args: string[]): Promise<number> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  children.push(child);
  for (let i = 0; i < 100 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 50));
  return port;
}

interface Run {
  code: number | null;
  stderr: string;
}

/** Run a project command with only `env` (plus PATH/HOME) as its environment. */
function run(args: string[], env: Record<string, string>, timeout = 25_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: root, timeout, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } },
      (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stderr });
      },
    );
  });
}

const services = (env: Record<string, string>) => run(['--import', 'tsx', 'scripts/services.ts'], env);

afterEach(async () => {
  // Should a server have been started where none may be (the bug), stop it rather than leak it.
  for (const port of portsToFree.splice(0)) {
    if (!(await listening(port))) continue;
    const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    await r
      .connect()
      .then(() => r.call('SHUTDOWN', 'NOSAVE'))
      .catch(() => {});
    r.disconnect();
  }
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

describe('which variables the operator set', () => {
  it('explicitKeys names only present, non-empty schema variables', () => {
    const env = { REDIS_URL: 'redis://cache:6379', MONGODB_URI: '', UNRELATED: 'x' };
    expect([...explicitKeys(env)]).toEqual(['REDIS_URL']);
    const plan = planLocalServices(loadConfig(env), explicitKeys(env));
    expect(plan.redis).toEqual({ url: 'redis://cache:6379', explicit: true });
    expect(plan.mongodb).toEqual({ url: 'mongodb://127.0.0.1:27017/newsrelay', explicit: false });
    expect(plan.waitMs).toBe(60_000);
  });
});

describe('npm run services', () => {
  it.skipIf(noRedisServer)(
    'accepts a managed Redis whose CONFIG command is renamed away, and still checks its policy',
    async () => {
      const port = await startRedis('--rename-command', 'CONFIG', '', '--maxmemory-policy', 'allkeys-lru');
      const r = await services({
        MONGODB_URI: MONGO,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        SERVICES_WAIT: '3s',
      });
      expect(r.stderr).toContain(`Redis answers at 127.0.0.1:${port}`);
      expect(r.stderr).toContain('maxmemory-policy is allkeys-lru');
      expect(r.stderr).not.toContain('started redis-server');
      expect(r.code).toBe(0);
    },
  );

  it.skipIf(noRedisServer)(
    'accepts a Redis whose ACL forbids CONFIG and INFO, noting the unchecked policy',
    async () => {
      const port = await startRedis(
        '--user',
        'default',
        'on',
        'nopass',
        '~*',
        '&*',
        '+@all',
        '-config',
        '-info',
      );
      const r = await services({
        MONGODB_URI: MONGO,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        SERVICES_WAIT: '3s',
      });
      expect(r.stderr).toMatch(/refused INFO memory \(NOPERM[^)]*\); maxmemory-policy not checked/);
      expect(r.code).toBe(0);
    },
  );

  it('with REDIS_URL set to a port where nothing listens: waits, exits 1 naming it, starts nothing', async () => {
    const port = await freePort();
    portsToFree.push(port);
    const r = await services({
      MONGODB_URI: MONGO,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      SERVICES_WAIT: '2s',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`REDIS_URL is set, so no local server is started in its place`);
    expect(r.stderr).toMatch(
      new RegExp(`Redis at 127\\.0\\.0\\.1:${port} \\(REDIS_URL\\) did not answer within 2s`),
    );
    expect(r.stderr).not.toContain('started redis-server');
    expect(await listening(port)).toBe(false);
  });

  it('with MONGODB_URI set to a port where nothing listens: waits, exits 1 naming it, starts nothing', async () => {
    const port = await freePort();
    const r = await services({
      MONGODB_URI: `mongodb://127.0.0.1:${port}/newsrelay`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SERVICES_WAIT: '2s',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `MongoDB-compatible server at 127\\.0\\.0\\.1:${port} \\(MONGODB_URI\\) did not answer within 2s`,
      ),
    );
    expect(r.stderr).not.toContain('started FerretDB');
    expect(await listening(port)).toBe(false);
  });

  it('never prints the password of a URL it waits for', async () => {
    const port = await freePort();
    const r = await services({
      MONGODB_URI: MONGO,
      REDIS_URL: `redis://newsrelay:s3cret-Pa55word@127.0.0.1:${port}`,
      SERVICES_WAIT: '1s',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).not.toContain('s3cret-Pa55word');
  });
});

describe('newsrelay serve', () => {
  it('with REDIS_URL set and not answering exits 1 after SERVICES_WAIT instead of serving', async () => {
    const port = await freePort();
    portsToFree.push(port);
    const r = await run(['bin/newsrelay.js', 'serve', '--role', 'worker'], {
      MONGODB_URI: MONGO,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      SERVICES_WAIT: '2s',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/newsrelay: Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\) did not answer within 2s/);
    expect(await listening(port)).toBe(false);
  });
});

describe('with nothing configured (the defaults)', () => {
  it.skipIf(noRedisServer)(
    'starts a local redis-server where nothing listens, as npm test and CI need',
    async () => {
      // Same code path as an unset REDIS_URL, on a free port instead of 6379 (which the shared
      // Redis holds).
      const port = await freePort();
      portsToFree.push(port);
      const lines: string[] = [];
      await ensureLocalServices({
        mongodb: { url: MONGO, explicit: false },
        redis: { url: `redis://127.0.0.1:${port}`, explicit: false },
        waitMs: 5_000,
        say: (m) => lines.push(m),
      });
      expect(lines).toContain(`started redis-server on 127.0.0.1:${port}`);
      const r = new Redis(port, '127.0.0.1');
      expect(await r.ping()).toBe('PONG');
      expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      r.disconnect();
    },
  );

  it('starts nothing on a default port that something else holds', async () => {
    const srv = createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const address = srv.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const lines: string[] = [];
    await expect(
      ensureLocalServices({
        mongodb: { url: MONGO, explicit: false },
        redis: { url: `redis://127.0.0.1:${address.port}`, explicit: false },
        waitMs: 1_500,
        say: (m) => lines.push(m),
      }),
    ).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(lines.join('\n')).toContain('nothing is started on a taken port');
    expect(lines.join('\n')).not.toContain('started redis-server');
    await new Promise<void>((r) => srv.close(() => r()));
  });
});
