/**
 * How far V8 lets a process's heap grow past what survived its last full collection before it
 * collects again. V8's own policy lets it grow up to four times on a machine with memory to
 * spare, which is most of a worker's resident memory during a poll cycle (issue 11:
 * 10,000 sources, 420 MB with V8's policy, under 300 MB at 20 %, for about 15 % more CPU). Set
 * once per `serve` process from HEAP_GROWTH_PERCENT; 0 leaves V8's policy.
 */
import v8 from 'node:v8';

/**
 * Sets V8's heap growing factor to 1 + `percent` / 100 for the rest of the process. V8 reads the
 * flag each time it sizes the heap after a collection, so setting it on a running process takes
 * effect from the next collection. 0 does nothing.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
