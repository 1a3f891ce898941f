/**
 * Local services for development, tests and `newsrelay serve`: a MongoDB-compatible server and
 * Redis. A server that answers is left alone. Only for a URL the operator left unset (the
 * default on this machine) is a missing server started (FerretDB v1.24.2 on SQLite under
 * .data/, built from the Go module proxy by tools/ferretdb; the machine's redis-server). An
 * explicitly set MONGODB_URI / REDIS_URL is waited for, never replaced: starting an empty
 * server on its port would hijack it (docs/decisions/0003-never-start-configured-services.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Config } from './config/config.ts';
import { NewsrelayError } from './errors.ts';
import { FERRET_PATCHES } from './ferretdb-patch.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.data');
/** The FerretDB binary {@link buildFerret} builds; the name carries the patch level, so a binary built with fewer fixes is rebuilt. */
export const ferretBin = path.join(dataDir, 'bin', 'ferretdb-1.24.2-p3');

/** Where the local FerretDB keeps its SQLite files (one per database). */
export const ferretSqliteDir = path.join(dataDir, 'ferretdb');
const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const PROBE_MS = 1500;
const RETRY_MS = 500;
const REPORT_EVERY_MS = 10_000;

/** One server to make sure of. */
export interface ServiceTarget {
  /** Its connection URL (MONGODB_URI or REDIS_URL). */
  url: string;
  /** The operator set the URL: wait for it to answer, never start a server in its place. */
  explicit: boolean;
}

/** What {@link ensureLocalServices} makes sure of, and how long it waits. */
export interface LocalServicesPlan {
  mongodb: ServiceTarget;
  redis: ServiceTarget;
  /** How long to wait for a server that does not answer yet (SERVICES_WAIT), in ms. */
  waitMs: number;
  /** Progress lines; stderr (`services: …`) when omitted. */
  say?: (msg: string) => void;
}

/** The plan for this configuration; `explicit` names the variables the operator set (`explicitKeys()`). */
export function planLocalServices(
  config: Pick<Config, 'MONGODB_URI' | 'REDIS_URL' | 'SERVICES_WAIT'>,
  explicit: ReadonlySet<string>,
): LocalServicesPlan {
  return {
    mongodb: { url: config.MONGODB_URI, explicit: explicit.has('MONGODB_URI') },
    redis: { url: config.REDIS_URL, explicit: explicit.has('REDIS_URL') },
    waitMs: config.SERVICES_WAIT,
  };
}

type Say = (msg: string) => void;
type Probe = { ok: true } | { ok: false; reason: string };

function stderrSay(msg: string): void {
  process.stderr.write(`services: ${msg}\n`);
}

/** Host and port only: a URL may carry a password. */
function where(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unparsable URL)';
  }
}

/** A driver's error message, without the URL's credentials should it quote them. */
function reasonOf(err: unknown, url: string): string {
  let text = err instanceof Error ? err.message : String(err);
  try {
    const u = new URL(url);
    for (const secret of [u.password, decodeURIComponent(u.password)]) {
      if (secret) text = text.split(secret).join('[redacted]');
    }
  } catch {}
  return text.slice(0, 300);
}

async function probeMongo(uri: string): Promise<Probe> {
  const conn = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: PROBE_MS,
    connectTimeoutMS: PROBE_MS,
  });
  try {
    await conn.asPromise();
    await conn.db?.admin().ping();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: reasonOf(err, uri) };
  } finally {
    await conn.close().catch(() => {});
  }
}

function redisClient(url: string): Redis {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: PROBE_MS,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  return r;
}

async function probeRedis(url: string): Promise<Probe> {
  const r = redisClient(url);
  try {
    await r.connect();
    const pong = await r.ping();
    return pong === 'PONG' ? { ok: true } : { ok: false, reason: `PING answered ${pong}` };
  } catch (err) {
    return { ok: false, reason: reasonOf(err, url) };
  } finally {
    r.disconnect();
  }
}

/**
 * BullMQ needs `maxmemory-policy noeviction`. Read it the way BullMQ does (INFO, not CONFIG,
 * which a managed Redis often renames or forbids); if even INFO is refused, say the policy
 * went unchecked rather than reject the server.
 */
async function checkEvictionPolicy(url: string, say: Say): Promise<void> {
  const r = redisClient(url);
  try {
    await r.connect();
    const info = await r.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
    if (policy === undefined)
      say(`note: Redis at ${where(url)} does not report maxmemory_policy; not checked`);
    else if (policy !== 'noeviction')
      say(`warning: Redis maxmemory-policy is ${policy}; BullMQ needs noeviction`);
  } catch (err) {
    say(
      `note: Redis at ${where(url)} refused INFO memory (${reasonOf(err, url)}); ` +
        'maxmemory-policy not checked — make sure it is noeviction',
    );
  } finally {
    r.disconnect();
  }
}

/** Whether anything accepts TCP connections at host:port. */
function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (taken: boolean) => {
      socket.destroy();
      resolve(taken);
    };
    socket.setTimeout(PROBE_MS, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Probe until it answers or `ms` pass; throws `service_unavailable` with the last reason. */
async function waitFor(
  probe: () => Promise<Probe>,
  what: string,
  ms: number,
  say: Say,
  advice: string,
): Promise<void> {
  const started = Date.now();
  let reported = started;
  for (;;) {
    const result = await probe();
    if (result.ok) return;
    const waited = Date.now() - started;
    if (waited >= ms) {
      throw new NewsrelayError(
        'service_unavailable',
        `${what} did not answer within ${Math.round(ms / 1000)}s (${result.reason}); ${advice}`,
      );
    }
    if (Date.now() - reported >= REPORT_EVERY_MS) {
      reported = Date.now();
      say(
        `still waiting for ${what} (${Math.round(waited / 1000)}s of ${Math.round(ms / 1000)}s): ${result.reason}`,
      );
    }
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}

/**
 * The configured server does not answer: wait for it, or (unset variable, local default, port
 * free) start a local one. Never starts anything on a port something else holds.
 */
async function ensure(
  kind: { variable: 'MONGODB_URI' | 'REDIS_URL'; label: string; defaultPort: number },
  target: ServiceTarget,
  plan: { waitMs: number; say: Say },
  probe: (url: string) => Promise<Probe>,
  start: (port: number) => void,
): Promise<void> {
  const { say } = plan;
  const at = where(target.url);
  const what = `${kind.label} at ${at} (${kind.variable})`;
  const first = await probe(target.url);
  if (first.ok) return say(`${kind.label} answers at ${at}`);
  if (target.explicit) {
    say(
      `${what} does not answer (${first.reason}); waiting up to ${Math.round(plan.waitMs / 1000)}s. ` +
        `${kind.variable} is set, so no local server is started in its place`,
    );
    return waitFor(() => probe(target.url), what, plan.waitMs, say, `start it or correct ${kind.variable}`);
  }
  const u = new URL(target.url);
  const port = Number(u.port || kind.defaultPort);
  if (!LOCAL.has(u.hostname))
    throw new NewsrelayError('service_unavailable', `no ${what} answers, and it is not local`);
  if (await portTaken(u.hostname, port)) {
    say(
      `something listens at ${at} but does not answer as ${kind.label} yet; waiting for it (nothing is started on a taken port)`,
    );
    return waitFor(
      () => probe(target.url),
      what,
      plan.waitMs,
      say,
      `free port ${port} or set ${kind.variable}`,
    );
  }
  start(port);
  await waitFor(() => probe(target.url), `the local ${kind.label}`, 60_000, say, `see .data/ for its log`);
}

/** Build the patched FerretDB binary under .data/bin unless it is there. */
export function buildFerret(say: (msg: string) => void = stderrSay): void {
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
  for (const patch of FERRET_PATCHES) {
    const file = path.join(copy, patch.file);
    chmodSync(file, 0o644);
    writeFileSync(file, patch.apply(readFileSync(file, 'utf8')));
  }
  const goMod = readFileSync(path.join(cwd, 'go.mod'), 'utf8');
  writeFileSync(path.join(buildDir, 'go.mod'), `${goMod}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  cpSync(path.join(cwd, 'go.sum'), path.join(buildDir, 'go.sum'));
  const res = spawnSync('go', ['build', `-modfile=${path.join(buildDir, 'go.mod')}`, '-o', ferretBin, '.'], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (res.status !== 0) throw new Error('building FerretDB failed (is Go ≥ 1.24 installed?)');
  rmSync(buildDir, { recursive: true, force: true });
  for (const name of pruneFerretBinaries(path.dirname(ferretBin), path.basename(ferretBin)))
    say(`removed ${name}, built with fewer fixes`);
}

/**
 * Remove the FerretDB binaries in `binDir` other than `keep` (ones an earlier patch level built,
 * about 37 MB each); returns their names. A server still running one keeps running.
 */
export function pruneFerretBinaries(binDir: string, keep: string): string[] {
  const stale = readdirSync(binDir).filter((name) => name.startsWith('ferretdb-') && name !== keep);
  for (const name of stale) rmSync(path.join(binDir, name), { force: true });
  return stale;
}

/** FerretDB's arguments: SQLite files in `sqliteDir`, listening on loopback `port`. */
export function ferretArgs(port: number, sqliteDir: string): string[] {
  return [
    `-listen-addr=127.0.0.1:${port}`,
    '-handler=sqlite',
    `-sqlite-url=file:${sqliteDir}/?_pragma=synchronous(normal)`,
  ];
}

/** redis-server's arguments as BullMQ needs it: loopback `port`, no persistence, noeviction. */
export function redisArgs(port: number): string[] {
  return [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ];
}

function startFerret(port: number, say: Say): void {
  mkdirSync(dataDir, { recursive: true });
  buildFerret(say);
  mkdirSync(ferretSqliteDir, { recursive: true });
  const log = openSync(path.join(dataDir, 'ferretdb.log'), 'a');
  const child = spawn(ferretBin, ferretArgs(port, ferretSqliteDir), {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  say(`started FerretDB (pid ${child.pid}) on 127.0.0.1:${port}, data in .data/ferretdb`);
}

function startRedis(port: number, say: Say): void {
  mkdirSync(dataDir, { recursive: true });
  const res = spawnSync(
    'redis-server',
    ['--daemonize', 'yes', ...redisArgs(port), '--logfile', path.join(dataDir, 'redis.log')],
    { stdio: 'inherit' },
  );
  if (res.status !== 0)
    throw new NewsrelayError('service_unavailable', 'starting redis-server failed (is it installed?)');
  say(`started redis-server on 127.0.0.1:${port}`);
}

/**
 * Make sure a MongoDB-compatible server and Redis answer. A URL the operator set is waited for
 * up to `plan.waitMs`, then `service_unavailable` is thrown; only an unset (default, local)
 * one whose port is free gets a local server started. A Redis that refuses CONFIG is accepted.
 */
export async function ensureLocalServices(plan: LocalServicesPlan): Promise<void> {
  const say = plan.say ?? stderrSay;
  const opts = { waitMs: plan.waitMs, say };
  await Promise.all([
    ensure(
      { variable: 'MONGODB_URI', label: 'MongoDB-compatible server', defaultPort: 27017 },
      plan.mongodb,
      opts,
      probeMongo,
      (port) => startFerret(port, say),
    ),
    (async () => {
      await ensure(
        { variable: 'REDIS_URL', label: 'Redis', defaultPort: 6379 },
        plan.redis,
        opts,
        probeRedis,
        (port) => startRedis(port, say),
      );
      await checkEvictionPolicy(plan.redis.url, say);
    })(),
  ]);
}
