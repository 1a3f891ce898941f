/**
 * How long the bounds read from one span of calls are kept: clocks drift, and may be stepped.
 * Redis's clock is the wall clock, this process's is monotonic; on this machine the two drifted
 * apart by 5 ms a second at times (the wall clock slewed), so a bound a span old may be off by
 * up to twice the span times that.
 */
const SPAN_MS = 1000;

/** Bounds of the offset (remote − local) read in one span. */
interface Bounds {
  low: number;
  high: number;
  began: number;
}

/**
 * Where a remote clock (Redis's `TIME`, which the send gate keeps its slots on) stands against
 * this process's `performance.now()`, learnt from the calls that read it: a call read the remote
 * clock somewhere between its ask and its answer, so the offset lies in
 * [remote − answered, remote − asked]. The tightest bounds of the last one or two spans of
 * {@link SPAN_MS} are kept; a call that contradicts them (a clock was stepped) starts over.
 */
export class RemoteClock {
  private current: Bounds | null = null;
  private previous: Bounds | null = null;
  private lastAnswered = Number.NEGATIVE_INFINITY;

  /** A call asked at `asked` and answered at `answered` (local ms) read the remote clock as `remoteMs`. */
  sample(remoteMs: number, asked: number, answered: number): void {
    const low = remoteMs - answered;
    const high = remoteMs - asked;
    this.lastAnswered = Math.max(this.lastAnswered, answered);
    if (!this.current || answered - this.current.began > SPAN_MS) {
      this.previous = this.current;
      this.current = { low, high, began: answered };
    } else {
      this.current.low = Math.max(this.current.low, low);
      this.current.high = Math.min(this.current.high, high);
    }
    const b = this.bounds();
    if (b.low > b.high) {
      this.previous = null;
      this.current = { low, high, began: answered };
    }
  }

  /** Where remote time `remoteMs` lies on the local clock: between `from` and `to`. */
  toLocal(remoteMs: number): { from: number; to: number } {
    const b = this.bounds();
    return { from: remoteMs - b.high, to: remoteMs - b.low };
  }

  /**
   * Whether a call answered within the last span (at local time `now`) left the offset known to
   * within `ms`: if not, a slot reserved now may be placed too loosely to be kept.
   */
  knownWithin(ms: number, now: number): boolean {
    if (!this.current || now - this.lastAnswered > SPAN_MS) return false;
    const b = this.bounds();
    return b.high - b.low <= ms;
  }

  private bounds(): { low: number; high: number } {
    const c = this.current;
    if (!c) throw new Error('RemoteClock: no call has read the remote clock yet');
    const p = this.previous;
    return p ? { low: Math.max(c.low, p.low), high: Math.min(c.high, p.high) } : c;
  }
}
