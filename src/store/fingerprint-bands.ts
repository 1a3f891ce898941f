import { CANDIDATE_DISTANCE, EMPTY_FINGERPRINT, fingerprintBands } from '../text/fingerprint.ts';

function popcount32(n: number): number {
  let x = n - ((n >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * SimHash fingerprints of index ordinals, looked up by band (pigeonhole: within
 * {@link CANDIDATE_DISTANCE} bits, two fingerprints share one of four 16-bit bands). Each
 * fingerprint is also kept as two int32 so a bucket of thousands is compared without parsing.
 */
export class FingerprintBands {
  private readonly bands = new Map<string, number[]>();
  private hi = new Int32Array(1024);
  private lo = new Int32Array(1024);

  /** Index ordinal `n`'s fingerprint; the empty fingerprint is not indexed. */
  add(n: number, fp: string): void {
    if (fp === EMPTY_FINGERPRINT) return;
    if (n >= this.hi.length) {
      const size = Math.max(n + 1, this.hi.length * 2);
      const hi = new Int32Array(size);
      const lo = new Int32Array(size);
      hi.set(this.hi);
      lo.set(this.lo);
      this.hi = hi;
      this.lo = lo;
    }
    this.hi[n] = Number.parseInt(fp.slice(0, 8), 16) | 0;
    this.lo[n] = Number.parseInt(fp.slice(8), 16) | 0;
    for (const b of fingerprintBands(fp)) {
      const list = this.bands.get(b);
      if (list) list.push(n);
      else this.bands.set(b, [n]);
    }
  }

  /**
   * Up to `limit` ordinals within {@link CANDIDATE_DISTANCE} of `fp`, closest first and, at equal
   * distance, newest (highest ordinal) first; ordinals for which `skip` is true are left out.
   */
  near(fp: string, limit: number, skip: (n: number) => boolean): number[] {
    if (fp === EMPTY_FINGERPRINT || limit <= 0) return [];
    const hi = Number.parseInt(fp.slice(0, 8), 16) | 0;
    const lo = Number.parseInt(fp.slice(8), 16) | 0;
    // Best `limit` as parallel arrays kept sorted: buckets of a busy index hold thousands.
    const best: number[] = [];
    const dist: number[] = [];
    fingerprintBands(fp).forEach((b, band) => {
      const list = this.bands.get(b);
      if (!list) return;
      for (let k = list.length - 1; k >= 0; k--) {
        const n = list[k]!;
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
