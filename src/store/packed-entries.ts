import { NewsrelayError } from '../errors.ts';
import { fingerprintHalves } from '../text/fingerprint.ts';
import { deflateJson, inflateJson } from './deflated-json.ts';
import type { IndexEntry } from './search-index.ts';

/**
 * Index entries in columns, as a journal segment stores them (format 2): numbers are typed arrays
 * in base64, terms and sources are written once per segment and referred to by number. A
 * starting process parses a few strings per article instead of some fifty, and adds postings
 * without looking a term up per article (docs/decisions/0015-million-article-archive.md).
 * Typed arrays are little-endian, as on every platform Node.js runs on.
 */
export interface PackedEntries {
  v: 2;
  /** Article ids. */
  i: string[];
  /** Cluster ids; '' where the article is its own cluster's first. */
  c: string[];
  /** Headline keys; null where the entry has none. */
  h: Array<string | null>;
  /** Source ids, numbered by position. */
  sources: string[];
  /** Terms, numbered by position. */
  terms: string[];
  /** Per article, base64: source number (Uint32), published and fetched (Float64, epoch ms), journal number (Uint32). */
  s: string;
  p: string;
  f: string;
  q: string;
  /** Fingerprint halves, high then low (Int32 pairs); 0, 0 for none. */
  fp: string;
  /** Number of terms of each article (Uint32). */
  tn: string;
  /** Every article's term numbers in turn (Uint16 when the segment has at most 65,536 terms, else Uint32). */
  t: string;
  /** Bytes per term number: 2 or 4. */
  tw: 2 | 4;
}

/** Unpacked columns of {@link PackedEntries}, ready to add to an index. */
export interface EntryColumns {
  ids: string[];
  /** Cluster ids, resolved ('' read back as the article's own id). */
  clusters: string[];
  keys: Array<string | undefined>;
  sources: string[];
  terms: string[];
  source: Uint32Array;
  published: Float64Array;
  fetched: Float64Array;
  seq: Uint32Array;
  /** Fingerprint halves, two per article. */
  fingerprints: Int32Array;
  termCounts: Uint32Array;
  termNumbers: Uint16Array | Uint32Array;
}

type Column = Uint16Array | Uint32Array | Int32Array | Float64Array;

function encode(column: Column): string {
  return Buffer.from(column.buffer, column.byteOffset, column.byteLength).toString('base64');
}

function decode<T extends Column>(text: string, make: (length: number) => T): T {
  const bytes = Buffer.from(text, 'base64');
  const out = make(bytes.length / make(0).BYTES_PER_ELEMENT);
  // Copied: a decoded Buffer can sit at an offset a wider typed array cannot start at.
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Whether a parsed segment is in columns (format 2) rather than an array of entries. */
function isPacked(data: unknown): data is PackedEntries {
  return typeof data === 'object' && data !== null && (data as { v?: unknown }).v === 2;
}

/** The entries in columns; each entry's journal number is `e.q`, or `seq` when it has none. */
export function packEntries(entries: readonly IndexEntry[], seq: number): PackedEntries {
  const n = entries.length;
  const sources = new Map<string, number>();
  const terms = new Map<string, number>();
  const number = (map: Map<string, number>, key: string) => {
    let k = map.get(key);
    if (k === undefined) {
      k = map.size;
      map.set(key, k);
    }
    return k;
  };
  const s = new Uint32Array(n);
  const p = new Float64Array(n);
  const f = new Float64Array(n);
  const q = new Uint32Array(n);
  const fp = new Int32Array(2 * n);
  const tn = new Uint32Array(n);
  const t: number[] = [];
  entries.forEach((e, k) => {
    s[k] = number(sources, e.s);
    p[k] = e.p;
    f[k] = e.f;
    q[k] = e.q ?? seq;
    [fp[2 * k], fp[2 * k + 1]] = fingerprintHalves(e.fp);
    tn[k] = e.t.length;
    for (const term of e.t) t.push(number(terms, term));
  });
  const tw = terms.size <= 0x10000 ? 2 : 4;
  return {
    v: 2,
    i: entries.map((e) => e.i),
    c: entries.map((e) => (e.c === e.i ? '' : e.c)),
    h: entries.map((e) => e.h ?? null),
    sources: [...sources.keys()],
    terms: [...terms.keys()],
    s: encode(s),
    p: encode(p),
    f: encode(f),
    q: encode(q),
    fp: encode(fp),
    tn: encode(tn),
    t: encode(tw === 2 ? Uint16Array.from(t) : Uint32Array.from(t)),
    tw,
  };
}

/** The columns of a packed segment, checked for agreeing lengths and numbers in range. */
export function unpackColumns(packed: PackedEntries): EntryColumns {
  const n = packed.i.length;
  const cols: EntryColumns = {
    ids: packed.i,
    clusters: packed.c.map((c, k) => (c === '' ? packed.i[k]! : c)),
    keys: packed.h.map((h) => h ?? undefined),
    sources: packed.sources,
    terms: packed.terms,
    source: decode(packed.s, (l) => new Uint32Array(l)),
    published: decode(packed.p, (l) => new Float64Array(l)),
    fetched: decode(packed.f, (l) => new Float64Array(l)),
    seq: decode(packed.q, (l) => new Uint32Array(l)),
    fingerprints: decode(packed.fp, (l) => new Int32Array(l)),
    termCounts: decode(packed.tn, (l) => new Uint32Array(l)),
    termNumbers:
      packed.tw === 2
        ? decode(packed.t, (l) => new Uint16Array(l))
        : decode(packed.t, (l) => new Uint32Array(l)),
  };
  const lengths = [
    cols.clusters,
    cols.keys,
    cols.source,
    cols.published,
    cols.fetched,
    cols.seq,
    cols.termCounts,
  ];
  let total = 0;
  for (const c of cols.termCounts) total += c;
  if (
    lengths.some((c) => c.length !== n) ||
    cols.fingerprints.length !== 2 * n ||
    cols.termNumbers.length !== total ||
    cols.source.some((k) => k >= cols.sources.length) ||
    cols.termNumbers.some((k) => k >= cols.terms.length)
  )
    throw new NewsrelayError('bad_input', 'a journal segment whose columns do not agree');
  return cols;
}

/** Largest packed segment inflated (a segment holds at most a few MB of JSON). */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/**
 * The entries packed and deflated, as a segment stores them: about a third of the JSON's size,
 * which is what FerretDB spends its time on when a process starts (it reads large strings at
 * about 100 MB/s here; inflating takes a tenth of that).
 */
export function compressEntries(entries: readonly IndexEntry[], seq: number): Buffer {
  return deflateJson(packEntries(entries, seq));
}

/** The columns of {@link compressEntries}' output. */
export function decompressColumns(bytes: Uint8Array): EntryColumns {
  const packed = inflateJson(bytes, MAX_INFLATED_BYTES, 'a journal segment');
  if (!isPacked(packed))
    throw new NewsrelayError('bad_input', 'a journal segment that is not packed entries');
  return unpackColumns(packed);
}
