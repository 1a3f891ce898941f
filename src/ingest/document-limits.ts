/**
 * Bounds on the work one fetched document can cause. Every byte a news site sends is hostile
 * input: these limits keep a document's cost proportional to its (already capped) size, and
 * the parse pool bounds its time and memory on top (docs/decisions/0010-parse-worker-pool.md).
 */

/** Characters that internal DTD entities may add to a document, all references together. */
export const MAX_ENTITY_EXPANSION_CHARS = 1_000_000;

/**
 * Characters of one field (an element's text, a JSON string) kept before any processing. A
 * title is cut to 300 and a lead to 600 characters later; this only stops megabyte fields
 * from reaching the HTML, script and segmentation passes.
 */
export const MAX_FIELD_CHARS = 100_000;

/** Entries kept per document, the newest first; as many as a source's seen list remembers. */
export const MAX_ENTRIES = 1000;

/** Ancestors looked at from one link of an HTML page (headline lists are shallow). */
export const MAX_ANCESTORS = 32;

/** Links of one HTML page considered as headlines. */
export const MAX_CANDIDATE_LINKS = 20_000;

/** Wall time one document may spend being decoded, parsed and turned into articles. */
export const PARSE_TIMEOUT_MS = 10_000;

/** V8 old-generation heap of a parse worker, in MiB. */
export const PARSE_HEAP_MB = 256;

/**
 * V8 young-generation heap of a parse worker, in MiB. V8's default (48 MiB on 64-bit) stays
 * resident once a burst of documents has grown it. 16 MiB reads documents as fast as the
 * default and keeps 15–25 MB off a worker process; 8 MiB saved more but read 20 % slower.
 */
export const PARSE_YOUNG_MB = 16;

/**
 * The newest `max` of `items` (by `timeOf`, epoch ms; NaN for undated), in their original
 * order. Undated items count as oldest, so they are kept only while room is left, first ones
 * first (feeds list the newest first). Returns `items` itself when nothing is dropped.
 */
export function keepNewest<T>(items: T[], max: number, timeOf: (item: T) => number): T[] {
  if (items.length <= max) return items;
  const order = items.map((item, i) => {
    const t = timeOf(item);
    return { i, t: Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t };
  });
  order.sort((a, b) => (b.t === a.t ? a.i - b.i : b.t > a.t ? 1 : -1));
  const kept = order.slice(0, max).map((o) => o.i);
  kept.sort((a, b) => a - b);
  return kept.map((i) => items[i]!);
}
