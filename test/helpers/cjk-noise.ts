/**
 * `length` CJK characters drawn deterministically from `seed`: titles that share no phrase by
 * accident, so near-duplicate detection keeps them apart.
 */
export function cjkNoise(seed: number, length: number): string {
  let x = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += String.fromCodePoint(0x4e00 + ((x >>> 8) % 0x5000));
  }
  return out;
}
