/**
 * Near-duplicate candidates: a 64-bit SimHash of a headline's body, so that the same headline
 * from two outlets, in either script, with other labels or punctuation, gets the same
 * fingerprint. A fingerprint only proposes a candidate; {@link isSameStory} decides
 * (docs/decisions/0009-near-duplicate-verification.md).
 *
 * The body is the longest label of the {@link headlineKey} (so `时政快讯丨…` and `… - 新华网`
 * fingerprint as `…`); features are the pairs of consecutive tokens (CJK characters, latin
 * words, canonical numbers). The lead does not take part: outlets write different leads, or
 * none, for the same headline. Each feature is hashed to 64 bits as two independent 32-bit
 * hashes, so the hot loop stays in int32 arithmetic (no BigInt). A fingerprint is 16
 * lower-case hex digits, high half first.
 */
import { NewsrelayError } from '../errors.ts';
import { headlineKey } from './headline-key.ts';
import { type HeadlineToken, tokenizeHeadline } from './headline-tokens.ts';

/**
 * Largest Hamming distance at which a stored fingerprint is a candidate. Same-story pairs of
 * the labelled set either share their body (distance 0) or were reworded (4–29, found through
 * shared terms instead), so a wider distance would add band look-ups for almost nothing.
 */
export const CANDIDATE_DISTANCE = 3;

/** The fingerprint of a headline with nothing to fingerprint: never a candidate. */
export const EMPTY_FINGERPRINT = '0000000000000000';
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

/** The label with the most tokens (the first of equals). */
function body(tokens: readonly HeadlineToken[], labels: number): HeadlineToken[] {
  if (labels === 1) return [...tokens];
  const byLabel: HeadlineToken[][] = Array.from({ length: labels }, () => []);
  for (const t of tokens) byLabel[t.label]!.push(t);
  return byLabel.reduce((best, l) => (l.length > best.length ? l : best));
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * SimHash of a headline key's body, as 16 hex digits. A key without any letter, digit or CJK
 * character gives `0000000000000000`: callers should not cluster on it.
 */
export function fingerprintOfKey(key: string): string {
  const { tokens, labels } = tokenizeHeadline(key);
  const features = body(tokens, labels);
  // acc[64] holds the total weight: a bit is set when its weighted votes exceed half of it.
  const acc = new Int32Array(65);
  if (features.length === 1) addFeature(features[0]!.text, 1, acc);
  for (let i = 1; i < features.length; i++)
    addFeature(`${features[i - 1]!.text} ${features[i]!.text}`, 1, acc);
  const total = acc[64]!;
  if (total === 0) return EMPTY_FINGERPRINT;
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (acc[bit]! > total) hi |= 1 << bit;
    if (acc[bit + 32]! > total) lo |= 1 << bit;
  }
  return hex32(hi) + hex32(lo);
}

/** {@link fingerprintOfKey} of a title's {@link headlineKey}. */
export function fingerprint(title: string): string {
  return fingerprintOfKey(headlineKey(title));
}

function popcount32(n: number): number {
  let x = n - ((n >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Whether `s` is a fingerprint: 16 lower-case hex digits. */
export function isFingerprint(s: string): boolean {
  return HEX16.test(s);
}

/**
 * The fingerprint as two int32, its high then low 32 bits; 0, 0 for the empty fingerprint and for
 * anything that is not a fingerprint (a journal entry is read, not trusted).
 */
export function fingerprintHalves(fp: string): [number, number] {
  if (fp === EMPTY_FINGERPRINT || !isFingerprint(fp)) return [0, 0];
  return [Number.parseInt(fp.slice(0, 8), 16) | 0, Number.parseInt(fp.slice(8), 16) | 0];
}

function checkFingerprint(fp: string): void {
  if (!isFingerprint(fp)) throw new NewsrelayError('bad_input', `not a fingerprint: ${JSON.stringify(fp)}`);
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
 * pigeonhole look-up: two fingerprints within {@link CANDIDATE_DISTANCE} (3) share at least one
 * band, so indexing the bands finds every candidate with equality look-ups.
 */
export function fingerprintBands(fp: string): string[] {
  checkFingerprint(fp);
  return [0, 1, 2, 3].map((i) => `${i}:${fp.slice(i * 4, i * 4 + 4)}`);
}
