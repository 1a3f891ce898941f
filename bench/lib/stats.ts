/** Small measuring helpers shared by the benchmarks: percentiles, timers, RSS sampling. */

/** Nearest-rank percentile (p in 0–100) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Milliseconds elapsed since `start` (a `performance.now()` value). */
export function since(start: number): number {
  return performance.now() - start;
}

/** Rounds to `digits` decimals (for readable tables). */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function mb(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

/** Runs the collector when the harness was started with --expose-gc. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Samples `process.memoryUsage().rss` every `everyMs` and keeps the peak. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  peak = 0;

  start(everyMs = 100): this {
    this.peak = process.memoryUsage().rss;
    this.timer = setInterval(() => this.sample(), everyMs);
    return this;
  }

  sample(): void {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling; returns the peak in bytes. */
  stop(): number {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.peak;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
