/**
 * Last-resort clean-up of the processes a topology test spawned. `afterAll` stops them normally;
 * should the test process die first, they must not outlive it. An exit hook does not run when the
 * test runner kills its worker, so a small watchdog process is told each child's pid over a pipe:
 * when the pipe closes — however the test process ended — it SIGKILLs every pid still listed.
 */
import { type ChildProcess, spawn } from 'node:child_process';

// Lines `<pid>` add a pid, `-<pid>` remove one (it exited: the number may be reused); at the end
// of input, every pid left is killed.
const WATCHDOG = `
const pids = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  const lines = (buf + d).split('\\n');
  buf = lines.pop();
  for (const l of lines) {
    if (l.startsWith('-')) pids.delete(Number(l.slice(1)));
    else if (l) pids.add(Number(l));
  }
});
process.stdin.on('end', () => {
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} }
  process.exit(0);
});
`;

let watchdog: ChildProcess | null = null;
const children = new Set<ChildProcess>();

function tell(line: string): void {
  watchdog?.stdin?.write(`${line}\n`);
}

function startWatchdog(): ChildProcess {
  const dog = spawn(process.execPath, ['-e', WATCHDOG], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  dog.unref();
  const pipe = dog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  pipe?.unref?.();
  // An exit hook still helps when the process ends normally without its afterAll.
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  return dog;
}

/** SIGKILL `child` when this process ends, unless it has exited by then. */
export function onExitKill(child: ChildProcess): void {
  if (child.pid === undefined) return;
  watchdog ??= startWatchdog();
  const pid = child.pid;
  children.add(child);
  tell(String(pid));
  child.once('exit', () => {
    children.delete(child);
    tell(`-${pid}`);
  });
}
