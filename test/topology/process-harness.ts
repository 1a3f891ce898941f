/**
 * The service as an operator runs it: `node bin/newsrelay.js serve --role <role>` as separate
 * processes with an explicit environment. Spawn, wait for `/readyz`, SIGKILL, restart, and read
 * every process's output (for failure messages and the no-secrets check).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../fakes/wait-for.ts';
import { onExitKill } from './exit-guard.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(root, 'bin', 'newsrelay.js');

/** What `newsrelay serve --role` takes. */
export type Role = 'all' | 'bot' | 'worker' | 'scheduler';

/** One spawned `serve` process. */
export interface RoleProcess {
  /** e.g. `worker-2` */
  readonly name: string;
  readonly role: Role;
  readonly pid: number;
  /** `http://127.0.0.1:PORT` once the process said where it serves; '' before. */
  readonly httpUrl: string;
  /** Still running. */
  readonly alive: boolean;
  /** Exit code or signal once exited. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful stop), SIGKILL after `graceMs`; waits for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/** A set of service processes sharing one environment. */
export interface ProcessSet {
  /** The environment every process gets (on top of PATH and HOME). */
  env: Record<string, string>;
  readonly processes: RoleProcess[];
  /** Spawn `serve --role <role>` with `extra` variables on top; does not wait. */
  spawn(role: Role, extra?: Record<string, string>): RoleProcess;
  /** Spawn and wait until `/readyz` answers 200. */
  start(role: Role, extra?: Record<string, string>, timeoutMs?: number): Promise<RoleProcess>;
  /** Every process's output, headed by its name (for failure messages). */
  outputs(): string;
  /** Stop every process still running (SIGTERM, then SIGKILL). */
  stopAll(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Wait until `proc` answers `/readyz` with 200; fails early when it exits. */
export async function waitReady(proc: RoleProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      if (!proc.alive) throw new Error(`${proc.name} exited (${JSON.stringify(proc.exit)})`);
      if (!proc.httpUrl) return false;
      const res = await fetch(`${proc.httpUrl}/readyz`, { signal: AbortSignal.timeout(4_000) });
      return res.status === 200;
    },
    timeoutMs,
    { intervalMs: 200, message: `${proc.name} not ready within ${timeoutMs} ms` },
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- ${proc.name} output ---\n${proc.output().slice(-4000)}`);
  });
}

/** A process set on `env` (MONGODB_URI, REDIS_URL, QUEUE_PREFIX, tokens, …). */
export function processSet(env: Record<string, string>): ProcessSet {
  const processes: RoleProcess[] = [];
  const counts = new Map<Role, number>();

  const spawnRole = (role: Role, extra: Record<string, string> = {}): RoleProcess => {
    const n = (counts.get(role) ?? 0) + 1;
    counts.set(role, n);
    const name = `${role}-${n}`;
    const child = spawn(process.execPath, [CLI, 'serve', '--role', role], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onExitKill(child);
    if (child.pid === undefined) throw new Error(`could not spawn ${name}`);
    const chunks: string[] = [];
    let httpUrl = '';
    let tail = '';
    const read = (b: Buffer) => {
      const text = b.toString('utf8');
      chunks.push(text);
      if (!httpUrl) {
        tail = (tail + text).slice(-2000);
        const m = /health at (http:\/\/[\d.]+:\d+)\/healthz/.exec(tail);
        if (m?.[1]) httpUrl = m[1];
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    const proc: RoleProcess = {
      name,
      role,
      pid: child.pid,
      get httpUrl() {
        return httpUrl;
      },
      get alive() {
        return child.exitCode === null && child.signalCode === null;
      },
      get exit() {
        return proc.alive ? null : { code: child.exitCode, signal: child.signalCode };
      },
      output: () => chunks.join(''),
      kill: async () => {
        if (proc.alive) child.kill('SIGKILL');
        await exitOf(child);
      },
      stop: async (graceMs = 10_000) => {
        if (!proc.alive) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exitOf(child);
        clearTimeout(timer);
      },
    };
    processes.push(proc);
    return proc;
  };

  return {
    env,
    processes,
    spawn: spawnRole,
    async start(role, extra = {}, timeoutMs = 60_000) {
      const proc = spawnRole(role, extra);
      await waitReady(proc, timeoutMs);
      return proc;
    },
    outputs: () => processes.map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.output()}`).join('\n'),
    async stopAll() {
      await Promise.all(processes.map((p) => p.stop(5_000)));
    },
  };
}
