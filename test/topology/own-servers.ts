/**
 * A Redis and a FerretDB of a topology test's own: the topology tests flush Redis and stop the
 * database, while other test files use the shared 127.0.0.1:6379 and :27017 at the same time.
 * Both listen on free loopback ports; FerretDB keeps its SQLite files in a temp directory, so a
 * stop and a start on the same port keep the data (an outage, not a wipe).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { freePort } from '../../bench/lib/role-process.ts';
import { buildFerret, ferretArgs, ferretBin, redisArgs } from '../../src/local-services.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { onExitKill } from './exit-guard.ts';

/** The servers and what a test can do to them. */
export interface OwnServers {
  redisUrl: string;
  /** MONGODB_URI of database `name` on the own FerretDB. */
  mongoUri(name: string): string;
  /** The temp directory (SQLite files, server logs). */
  dir: string;
  /** FLUSHALL on the own Redis. */
  flushRedis(): Promise<void>;
  /** Stop FerretDB (SIGTERM) and wait until it has exited and its port is closed. */
  stopMongo(): Promise<void>;
  /** Start FerretDB again on the same port and data; resolves once it answers a ping. */
  startMongo(): Promise<void>;
  /** Output of both servers so far (for failure messages). */
  logs(): string;
  /** Stop both and delete the temp directory. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess | null, graceMs = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

async function mongoAnswers(uri: string): Promise<boolean> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
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

/** Start an own redis-server and FerretDB on free ports; stop them with `stop()`. */
export async function startOwnServers(): Promise<OwnServers> {
  buildFerret((msg) => process.stderr.write(`topology: ${msg}\n`));
  const dir = mkdtempSync(path.join(tmpdir(), 'newsrelay-topology-'));
  const sqliteDir = path.join(dir, 'sqlite');
  mkdirSync(sqliteDir);
  const [redisPort, mongoPort] = [await freePort(), await freePort()];
  const output: string[] = [];
  const collect = (name: string, child: ChildProcess) => {
    child.stdout?.on('data', (b: Buffer) => output.push(`[${name}] ${b.toString()}`));
    child.stderr?.on('data', (b: Buffer) => output.push(`[${name}] ${b.toString()}`));
  };

  const redis = spawn('redis-server', [...redisArgs(redisPort), '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  collect('redis', redis);
  onExitKill(redis);

  let ferret: ChildProcess | null = null;
  const mongoUri = (name: string) => `mongodb://127.0.0.1:${mongoPort}/${name}`;
  const startMongo = async () => {
    const child = spawn(
      ferretBin,
      // Dropped client connections (an outage) are logged as warnings; only errors matter here.
      [...ferretArgs(mongoPort, sqliteDir), '-log-level=error'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    ferret = child;
    collect('ferretdb', child);
    onExitKill(child);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`FerretDB exited with ${child.exitCode}`);
        return mongoAnswers(mongoUri('admin'));
      },
      30_000,
      { intervalMs: 200, message: `own FerretDB did not answer on port ${mongoPort}` },
    );
  };

  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {});
  try {
    await waitFor(
      async () => {
        if (redis.exitCode !== null) throw new Error(`redis-server exited with ${redis.exitCode}`);
        if (client.status !== 'ready') await client.connect().catch(() => {});
        return (await client.ping()) === 'PONG';
      },
      15_000,
      { intervalMs: 100, message: `own redis-server did not answer on port ${redisPort}` },
    );
    await startMongo();
  } catch (err) {
    client.disconnect();
    await Promise.all([stopChild(redis), stopChild(ferret)]);
    throw new Error(`${(err as Error).message}\n${output.join('')}`);
  }

  return {
    redisUrl,
    mongoUri,
    dir,
    flushRedis: async () => {
      await client.flushall();
    },
    stopMongo: async () => {
      await stopChild(ferret);
      ferret = null;
    },
    startMongo,
    logs: () => output.join(''),
    stop: async () => {
      client.disconnect();
      await Promise.all([stopChild(redis), stopChild(ferret)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
