import { CANDIDATE_DISTANCE, fingerprintHalves } from '../text/fingerprint.ts';

function popcount32(n: number): number {
  let x = n - ((n >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const BANDS = 4;
const BUCKETS = 1 << 16;
const NONE = -1;

/** Bucket of each of the four 16-bit bands, in the order of `fingerprintBands`. */
function bucketsOf(hi: number, lo: number): number[] {
  return [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff].map((v, band) => band * BUCKETS + v);
}

/**
 * SimHash fingerprints of index ordinals, looked up by band (pigeonhole: within
 * {@link CANDIDATE_DISTANCE} bits, two fingerprints share one of four 16-bit bands). Each bucket
 * is a chain through typed arrays — its newest ordinal in `head`, each ordinal's predecessor in
 * `next` — so a million fingerprints cost 24 bytes each and no object per bucket.
 */
export class FingerprintBands {
  private readonly head = new Int32Array(BANDS * BUCKETS).fill(NONE);
  private next = new Int32Array(BANDS * 1024);
  private hi = new Int32Array(1024);
  private lo = new Int32Array(1024);

  /**
   * Index ordinal `n`'s fingerprint (ordinals are added in increasing order). The empty
   * fingerprint, and anything else than 16 hex digits in a journal entry, is not indexed.
   */
  add(n: number, fp: string): void {
    const [hi, lo] = fingerprintHalves(fp);
    this.addHalves(n, hi, lo);
  }

  /** {@link add} of a fingerprint as its two int32 halves (high, low); 0, 0 is the empty one. */
  addHalves(n: number, hi: number, lo: number): void {
    if (n >= this.hi.length) this.grow(Math.max(n + 1, this.hi.length * 2));
    // Zero (the empty fingerprint) marks an ordinal that is not chained.
    this.hi[n] = hi;
    this.lo[n] = lo;
    if (hi !== 0 || lo !== 0) this.chain(n, hi, lo);
  }

  /** Fingerprints moved to their new ordinals (`newOf` never increases one); those mapped to -1 are dropped. */
  renumber(newOf: Int32Array): void {
    this.head.fill(NONE);
    for (let n = 0; n < newOf.length; n++) {
      const k = newOf[n]!;
      if (k < 0) continue;
      const hi = this.hi[n]!;
      const lo = this.lo[n]!;
      this.hi[k] = hi;
      this.lo[k] = lo;
      // Zero is the empty fingerprint, never chained.
      if (hi !== 0 || lo !== 0) this.chain(k, hi, lo);
    }
  }

  private chain(n: number, hi: number, lo: number): void {
    bucketsOf(hi, lo).forEach((bucket, band) => {
      this.next[n * BANDS + band] = this.head[bucket]!;
      this.head[bucket] = n;
    });
  }

  private grow(size: number): void {
    const next = new Int32Array(size * BANDS);
    const hi = new Int32Array(size);
    const lo = new Int32Array(size);
    next.set(this.next);
    hi.set(this.hi);
    lo.set(this.lo);
    this.next = next;
    this.hi = hi;
    this.lo = lo;
  }

  /**
   * Up to `limit` ordinals within {@link CANDIDATE_DISTANCE} of `fp`, closest first and, at equal
   * distance, newest (highest ordinal) first; ordinals for which `skip` is true are left out.
   */
  near(fp: string, limit: number, skip: (n: number) => boolean): number[] {
    const [hi, lo] = fingerprintHalves(fp);
    if ((hi === 0 && lo === 0) || limit <= 0) return [];
    // Best `limit` as parallel arrays kept sorted: buckets of a busy index hold thousands.
    const best: number[] = [];
    const dist: number[] = [];
    bucketsOf(hi, lo).forEach((bucket, band) => {
      for (let n = this.head[bucket]!; n !== NONE; n = this.next[n * BANDS + band]!) {
        const xh = hi ^ this.hi[n]!;
        const xl = lo ^ this.lo[n]!;
        // Sharing an earlier band too, it was looked at in that band's bucket already.
        if (
          band > 0 &&
          (xh >>> 16 === 0 || (band > 1 && ((xh & 0xffff) === 0 || (band > 2 && xl >>> 16 === 0))))
        )
          continue;
        const d = popcount32(xh) + popcount32(xl);
        if (d > CANDIDATE_DISTANCE) continue;
        const last = best.length - 1;
        if (best.length === limit && (d > dist[last]! || (d === dist[last]! && n < best[last]!))) continue;
        if (skip(n)) continue;
        let at = best.length;
        while (at > 0 && (dist[at - 1]! > d || (dist[at - 1]! === d && best[at - 1]! < n))) at--;
        best.splice(at, 0, n);
        dist.splice(at, 0, d);
        if (best.length > limit) {
          best.pop();
          dist.pop();
        }
      }
    });
    return best;
  }
}
