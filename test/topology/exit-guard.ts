/**
 * Last-resort clean-up of the processes a topology test spawned: should the test process end
 * without its afterAll (a crash, a timeout that kills the worker), every child still running is
 * SIGKILLed from the exit hook, so no service process or server outlives the test run.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

/** SIGKILL `child` when this process exits, unless it has exited by then. */
export function onExitKill(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (installed) return;
  installed = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}
