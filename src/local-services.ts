/**
 * Local services for development, tests and `newsrelay serve` on defaults: a MongoDB-compatible
 * server and Redis. Servers that already answer are left alone; a missing local one is started
 * (FerretDB v1.24.2 on SQLite under .data/, built from the Go module proxy by tools/ferretdb;
 * the machine's redis-server).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Config } from './config/config.ts';
import { FERRETDB_PATCHED_FILE, patchFerretIdColumn } from './ferretdb-patch.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.data');
// The name carries the patch level, so a binary built without the _id fix is rebuilt.
const ferretBin = path.join(dataDir, 'bin', 'ferretdb-1.24.2-p1');
const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function say(msg: string): void {
  process.stderr.write(`services: ${msg}\n`);
}

async function mongoAnswers(uri: string): Promise<boolean> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 });
  try {
    await conn.asPromise();
    await conn.db?.admin().ping();
    return true;
  } catch {
    return false;
  } finally {
    await conn.close().catch(() => {});
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1500,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    const policy = (await r.config('GET', 'maxmemory-policy')) as string[];
    if (policy[1] !== 'noeviction')
      say(`warning: Redis maxmemory-policy is ${policy[1]}; BullMQ needs noeviction`);
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not answer within ${ms / 1000}s`);
}

/** Build the patched FerretDB binary under .data/bin unless it is there. */
export function buildFerret(): void {
  if (existsSync(ferretBin)) return;
  say('building FerretDB v1.24.2 (tools/ferretdb, first run only)…');
  const cwd = path.join(root, 'tools', 'ferretdb');
  const download = spawnSync('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], {
    cwd,
    encoding: 'utf8',
  });
  if (download.status !== 0) throw new Error('downloading FerretDB failed (is Go ≥ 1.24 installed?)');
  const moduleDir = (JSON.parse(download.stdout) as { Dir: string }).Dir;
  // The module cache is read-only and cannot be overlaid: build against a patched copy.
  const buildDir = path.join(dataDir, 'ferretdb-build');
  const copy = path.join(buildDir, 'FerretDB');
  rmSync(buildDir, { recursive: true, force: true });
  cpSync(moduleDir, copy, { recursive: true });
  const file = path.join(copy, FERRETDB_PATCHED_FILE);
  chmodSync(file, 0o644);
  writeFileSync(file, patchFerretIdColumn(readFileSync(file, 'utf8')));
  const goMod = readFileSync(path.join(cwd, 'go.mod'), 'utf8');
  writeFileSync(path.join(buildDir, 'go.mod'), `${goMod}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  cpSync(path.join(cwd, 'go.sum'), path.join(buildDir, 'go.sum'));
  const res = spawnSync('go', ['build', `-modfile=${path.join(buildDir, 'go.mod')}`, '-o', ferretBin, '.'], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (res.status !== 0) throw new Error('building FerretDB failed (is Go ≥ 1.24 installed?)');
}

async function ensureMongo(uri: string): Promise<void> {
  if (await mongoAnswers(uri)) return say(`MongoDB-compatible server answers at ${new URL(uri).host}`);
  const u = new URL(uri);
  if (!LOCAL.has(u.hostname)) throw new Error(`no MongoDB server answers at ${u.host}, and it is not local`);
  buildFerret();
  const sqliteDir = path.join(dataDir, 'ferretdb');
  mkdirSync(sqliteDir, { recursive: true });
  const log = openSync(path.join(dataDir, 'ferretdb.log'), 'a');
  const child = spawn(
    ferretBin,
    [
      `-listen-addr=127.0.0.1:${u.port || '27017'}`,
      '-handler=sqlite',
      `-sqlite-url=file:${sqliteDir}/?_pragma=synchronous(normal)`,
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  say(`started FerretDB (pid ${child.pid}) on 127.0.0.1:${u.port || '27017'}, data in .data/ferretdb`);
  await waitUntil(() => mongoAnswers(uri), 'FerretDB', 60_000);
}

async function ensureRedis(url: string): Promise<void> {
  if (await redisAnswers(url)) return say(`Redis answers at ${new URL(url).host}`);
  const u = new URL(url);
  if (!LOCAL.has(u.hostname)) throw new Error(`no Redis answers at ${u.host}, and it is not local`);
  const res = spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      u.port || '6379',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      path.join(dataDir, 'redis.log'),
    ],
    { stdio: 'inherit' },
  );
  if (res.status !== 0) throw new Error('starting redis-server failed (is it installed?)');
  say(`started redis-server on 127.0.0.1:${u.port || '6379'}`);
  await waitUntil(() => redisAnswers(url), 'Redis', 20_000);
}

/**
 * Make sure a MongoDB-compatible server and Redis answer at the configured URLs, starting
 * local ones (FerretDB on SQLite under .data/, redis-server) when nothing answers.
 */
export async function ensureLocalServices(config: Pick<Config, 'MONGODB_URI' | 'REDIS_URL'>): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  await Promise.all([ensureMongo(config.MONGODB_URI), ensureRedis(config.REDIS_URL)]);
}
