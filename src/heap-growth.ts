/**
 * How far V8 lets a process's heap grow past what survived its last full collection before it
 * collects again (decision 0019). V8's own policy lets it grow up to four times on a machine with
 * memory to spare, which was most of a worker's resident memory during a poll cycle. Bounding it
 * is cheap while what survives is small and dear for fast bulk allocation: at 20 %, a poll cycle
 * of 10,000 sources (80 MB live) stayed under 300 MB for about 15 % more CPU, but a digest build
 * of 100,000 chats ran at 569–732 chats/s against 692–850 unbounded the same day. So the bound
 * holds only while the heap is small and no bulk work runs.
 */
import v8 from 'node:v8';

/** Live heap below which growth is bounded, in MiB. */
export const SMALL_HEAP_MB = 160;

/** How often the heap is looked at, and how many looks make up its live floor. */
const LOOK_EVERY_MS = 1000;
const LOOKS = 10;

/** A running heap-growth policy. */
export interface HeapGrowth {
  /** Whether growth is bounded now (false: V8's own policy). */
  readonly bounded: boolean;
  /**
   * Runs bulk work (a digest group's build, a delivery) under V8's own policy: bounded, the many
   * collections of its fast-growing heap slowed a 100,000-chat build by about a tenth and a paid
   * broadcast by about a fifth. The bound returns when no such work has run for `lingerMs`
   * (default 0): a stream of short jobs, such as a broadcast's sends, stays under one policy.
   */
  relaxed<T>(work: () => Promise<T>, lingerMs?: number): Promise<T>;
  /** Stops looking and gives growth back to V8. */
  stop(): void;
}

/**
 * While the heap's live part is under `smallHeapMb`, V8's heap growing factor is
 * 1 + `percent` / 100; above that, V8's own. The live part is taken as the least heap in use over
 * the last ten seconds (a collection brings it down to what survives), looked at once a second,
 * which costs nothing next to observing every collection. V8 reads the flag each time it sizes
 * the heap after a collection, so setting it on a running process takes effect from the next
 * one. Bulk work run through {@link HeapGrowth.relaxed} is left to V8's policy. `percent` 0 leaves
 * V8's policy throughout.
 */
export function boundHeapGrowth(percent: number, smallHeapMb = SMALL_HEAP_MB): HeapGrowth {
  let bounded = false;
  const set = (on: boolean) => {
    if (on === bounded) return;
    v8.setFlagsFromString(`--heap-growing-percent=${on ? Math.round(percent) : 0}`);
    bounded = on;
  };
  if (percent <= 0) return { bounded, relaxed: (work) => work(), stop() {} };
  const looks: number[] = [];
  let bulk = 0;
  let lingerUntil = 0;
  const decide = () =>
    set(
      bulk === 0 &&
        Date.now() >= lingerUntil &&
        (looks.length === 0 || Math.min(...looks) < smallHeapMb * 1024 * 1024),
    );
  decide();
  const timer = setInterval(() => {
    looks.push(v8.getHeapStatistics().used_heap_size);
    if (looks.length > LOOKS) looks.shift();
    decide();
  }, LOOK_EVERY_MS);
  timer.unref();
  return {
    get bounded() {
      return bounded;
    },
    async relaxed(work, lingerMs = 0) {
      bulk++;
      decide();
      try {
        return await work();
      } finally {
        bulk--;
        // The once-a-second look ends the linger.
        lingerUntil = Math.max(lingerUntil, Date.now() + lingerMs);
        decide();
      }
    },
    stop() {
      clearInterval(timer);
      set(false);
    },
  };
}
