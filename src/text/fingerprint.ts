/**
 * Near-duplicate detection: a 64-bit SimHash of the normalised title and lead, so the same
 * story from two outlets, or in both scripts, reaches a reader once.
 *
 * Features are the CJK bigrams and latin words of {@link normaliseForMatch} output; title
 * features weigh twice as much as lead features, and only the first {@link LEAD_CHARS}
 * characters of the lead count (leads differ between outlets more than titles do). Each
 * feature is hashed to 64 bits as two independent 32-bit hashes, so the hot loop stays in
 * int32 arithmetic (no BigInt). A fingerprint is 16 lower-case hex digits, high half first.
 */
import { NewsrelayError } from '../errors.ts';
import { forEachGramOrWord } from './index-terms.ts';
import { normaliseForMatch } from './normalise.ts';

/** Characters of the lead that take part in the fingerprint. */
export const LEAD_CHARS = 120;
/** Largest Hamming distance at which two fingerprints are the same story. */
export const NEAR_DUPLICATE_DISTANCE = 3;

const HEX16 = /^[0-9a-f]{16}$/;

function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Adds ±weight per bit of the feature's 64-bit hash to the accumulator. */
function addFeature(feature: string, weight: number, acc: Int32Array): void {
  // FNV-1a and a murmur-style multiply-xorshift with a different seed, each finalised with
  // murmur3's fmix32 so that short inputs still flip about half the bits.
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < feature.length; i++) {
    const c = feature.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const hi = fmix32(a);
  const lo = fmix32(b ^ feature.length);
  // Branch-free: each set bit adds 2·weight, and the caller subtracts the total weight once.
  const w2 = weight * 2;
  for (let bit = 0; bit < 32; bit++) {
    acc[bit]! += ((hi >>> bit) & 1) * w2;
    acc[bit + 32]! += ((lo >>> bit) & 1) * w2;
  }
  acc[64]! += weight;
}

function addText(text: string, weight: number, acc: Int32Array): void {
  forEachGramOrWord(normaliseForMatch(text), (feature) => addFeature(feature, weight, acc));
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * SimHash of a title and (optionally) its lead, as 16 hex digits. Text without any letter,
 * digit or CJK character gives `0000000000000000`: callers should not cluster on it.
 */
export function fingerprint(title: string, lead = ''): string {
  // acc[64] holds the total weight: a bit is set when its weighted votes exceed half of it.
  const acc = new Int32Array(65);
  addText(title, 2, acc);
  if (lead !== '') addText(lead.slice(0, LEAD_CHARS), 1, acc);
  const total = acc[64]!;
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (acc[bit]! > total) hi |= 1 << bit;
    if (acc[bit + 32]! > total) lo |= 1 << bit;
  }
  return hex32(hi) + hex32(lo);
}

function popcount32(n: number): number {
  let x = n - ((n >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function checkFingerprint(fp: string): void {
  if (!HEX16.test(fp)) throw new NewsrelayError('bad_input', `not a fingerprint: ${JSON.stringify(fp)}`);
}

/** Number of differing bits between two fingerprints (0–64). */
export function hammingDistance(a: string, b: string): number {
  checkFingerprint(a);
  checkFingerprint(b);
  const hi = Number.parseInt(a.slice(0, 8), 16) ^ Number.parseInt(b.slice(0, 8), 16);
  const lo = Number.parseInt(a.slice(8), 16) ^ Number.parseInt(b.slice(8), 16);
  return popcount32(hi) + popcount32(lo);
}

/**
 * The fingerprint's four 16-bit bands as `index:hex` keys (`0:abcd` … `3:0123`) for
 * pigeonhole look-up: two fingerprints within distance 3 share at least one band, so storing
 * the bands as an indexed array finds every candidate with equality look-ups.
 */
export function fingerprintBands(fp: string): string[] {
  checkFingerprint(fp);
  return [0, 1, 2, 3].map((i) => `${i}:${fp.slice(i * 4, i * 4 + 4)}`);
}

/** True when two fingerprints are within {@link NEAR_DUPLICATE_DISTANCE} bits. */
export function isNearDuplicate(a: string, b: string): boolean {
  return hammingDistance(a, b) <= NEAR_DUPLICATE_DISTANCE;
}
