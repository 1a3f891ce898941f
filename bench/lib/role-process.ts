/**
 * A `newsrelay serve --role …` child process for the role benchmarks: started from the package
 * bin with an explicit environment, readiness awaited on its HTTP port, and its resident memory and
 * CPU time read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node options for the role processes (`--cpu-prof`, `--heapsnapshot-signal=SIGUSR2`, …) when profiling. */
const nodeArgs = (process.env.BENCH_ROLE_NODE_ARGS ?? '').split(' ').filter(Boolean);

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/newsrelay.js');

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running role. */
export interface RoleProcess {
  role: string;
  url: string;
  child: ChildProcess;
  /** Resident and peak resident memory (MB) and CPU seconds used so far. */
  usage(): { rssMb: number; peakMb: number; cpuSeconds: number };
  /** Whether `/readyz` answers 200. */
  ready(): Promise<boolean>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `serve --role <role>` with `env` (nothing inherited but PATH and HOME) and wait until it listens. */
export async function startRole(
  role: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<RoleProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve', '--role', role], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      HTTP_PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (b: Buffer) => {
    log = (log + b.toString()).slice(-4000);
    if (process.env.BENCH_DEBUG) process.stderr.write(`[${role}] ${b.toString()}`);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${role} exited (${child.exitCode}): ${log}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${role} did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const ticks = 100; // USER_HZ on Linux
  return {
    role,
    url,
    child,
    usage() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(fields[11]) + Number(fields[12])) / ticks;
      return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, cpuSeconds: cpu };
    },
    ready: () =>
      fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
