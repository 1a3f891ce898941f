/**
 * Bounds on the work one fetched document can cause. Every byte a news site sends is hostile
 * input: these limits keep a document's cost proportional to its (already capped) size, and
 * the parse pool bounds its time and memory on top (docs/decisions/0006-parse-worker-pool.md).
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
