import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { NewsrelayError } from '../errors.ts';
import { fingerprintHalves } from '../text/fingerprint.ts';
import type { IndexEntry } from './search-index.ts';

/**
 * Index entries in columns, as journal segments of format 2 store them (format 3, written now, is
 * binary: {@link compressEntries}): numbers are typed arrays
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

/** The entries as columns; each entry's journal number is `e.q`, or `seq` when it has none. */
export function columnsOf(entries: readonly IndexEntry[], seq: number): EntryColumns {
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
  const source = new Uint32Array(n);
  const published = new Float64Array(n);
  const fetched = new Float64Array(n);
  const seqs = new Uint32Array(n);
  const fingerprints = new Int32Array(2 * n);
  const termCounts = new Uint32Array(n);
  const t: number[] = [];
  entries.forEach((e, k) => {
    source[k] = number(sources, e.s);
    published[k] = e.p;
    fetched[k] = e.f;
    seqs[k] = e.q ?? seq;
    [fingerprints[2 * k], fingerprints[2 * k + 1]] = fingerprintHalves(e.fp);
    termCounts[k] = e.t.length;
    for (const term of e.t) t.push(number(terms, term));
  });
  return {
    ids: entries.map((e) => e.i),
    clusters: entries.map((e) => e.c),
    keys: entries.map((e) => e.h),
    sources: [...sources.keys()],
    terms: [...terms.keys()],
    source,
    published,
    fetched,
    seq: seqs,
    fingerprints,
    termCounts,
    termNumbers: terms.size <= 0x10000 ? Uint16Array.from(t) : Uint32Array.from(t),
  };
}

/** The entries in format 2 (JSON with typed arrays in base64), as segments written before format 3 hold. */
export function packEntries(entries: readonly IndexEntry[], seq: number): PackedEntries {
  const cols = columnsOf(entries, seq);
  return {
    v: 2,
    i: cols.ids,
    c: cols.clusters.map((c, k) => (c === cols.ids[k] ? '' : c)),
    h: cols.keys.map((h) => h ?? null),
    sources: cols.sources,
    terms: cols.terms,
    s: encode(cols.source),
    p: encode(cols.published),
    f: encode(cols.fetched),
    q: encode(cols.seq),
    fp: encode(cols.fingerprints),
    tn: encode(cols.termCounts),
    t: encode(cols.termNumbers),
    tw: cols.termNumbers instanceof Uint16Array ? 2 : 4,
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
  return checked(cols, n);
}

/** `cols` when its columns agree on `n` articles and its numbers are in range. */
function checked(cols: EntryColumns, n: number): EntryColumns {
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

/** First bytes of a segment in format 3; a format-2 segment is JSON and starts with `{`. */
const MAGIC = 'NRS3';

/** The strings of a format-3 segment, as its JSON header holds them. */
interface Header3 {
  i: string[];
  /** Cluster ids; '' where the article is its own cluster's first. */
  c: string[];
  sources: string[];
  terms: string[];
  /** Bytes per term number: 2 or 4. */
  tw: 2 | 4;
}

/** Bytes to the next multiple of 8 after `at`, where the next typed column starts. */
const pad8 = (at: number) => (8 - (at % 8)) % 8;

/**
 * The entries packed and deflated, as a segment stores them (format 3): `NRS3`, the byte length
 * of a JSON header (ids, clusters, sources, terms), the header, then the numeric columns as raw
 * little-endian typed arrays, each 8-byte aligned, and the headline keys as one UTF-16 run with
 * a length per article (-1: none). A starting process decodes as text only what is text: in
 * format 2 the base64 columns and the keys as UTF-8 took a third of reading a segment. Deflated,
 * it is about a third of the JSON's size, which is what FerretDB spends its time on when a process
 * starts (it reads large values at about 100 MB/s here).
 */
export function compressEntries(entries: readonly IndexEntry[], seq: number): Buffer {
  const cols = columnsOf(entries, seq);
  const header: Header3 = {
    i: cols.ids,
    c: cols.clusters.map((c, k) => (c === cols.ids[k] ? '' : c)),
    sources: cols.sources,
    terms: cols.terms,
    tw: cols.termNumbers instanceof Uint16Array ? 2 : 4,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const keyLengths = Int32Array.from(cols.keys, (h) => (h === undefined ? -1 : h.length));
  const keys = Buffer.from(cols.keys.filter((h) => h !== undefined).join(''), 'utf16le');
  const parts: Uint8Array[] = [
    Buffer.from(MAGIC, 'latin1'),
    Buffer.from(Uint32Array.of(json.length).buffer),
    json,
  ];
  let at = 8 + json.length;
  const column = (c: Column | Buffer) => {
    parts.push(Buffer.alloc(pad8(at)));
    at += pad8(at);
    parts.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    at += c.byteLength;
  };
  for (const c of columns3(cols, keyLengths)) column(c);
  column(keys);
  const bytes = deflateRawSync(Buffer.concat(parts), { level: 1 });
  return Buffer.from(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Format 3's numeric columns in the order it stores them. */
function columns3(cols: EntryColumns, keyLengths: Int32Array): Column[] {
  return [
    cols.published,
    cols.fetched,
    cols.source,
    cols.seq,
    cols.fingerprints,
    cols.termCounts,
    keyLengths,
    cols.termNumbers,
  ];
}

/** Largest segment inflated (a segment holds a few MB). */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/**
 * The columns of {@link compressEntries}' output, or of a format-2 segment written before it,
 * checked as {@link unpackColumns} checks them.
 */
export function decompressColumns(bytes: Uint8Array): EntryColumns {
  let raw: Buffer;
  try {
    // Output in 256 kB chunks: zlib's default 16 kB took twice as long for a 5 MB segment.
    raw = inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES, chunkSize: 256 * 1024 });
  } catch (err) {
    throw new NewsrelayError(
      'bad_input',
      `a journal segment that does not inflate: ${(err as Error).message}`,
    );
  }
  if (raw.length >= 8 && raw.toString('latin1', 0, 4) === MAGIC) return unpack3(raw);
  let packed: unknown;
  try {
    packed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new NewsrelayError('bad_input', `a journal segment that does not parse: ${(err as Error).message}`);
  }
  if (!isPacked(packed))
    throw new NewsrelayError('bad_input', 'a journal segment that is not packed entries');
  return unpackColumns(packed);
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/** The columns of a format-3 segment's inflated bytes. */
function unpack3(raw: Buffer): EntryColumns {
  const bad = () => new NewsrelayError('bad_input', 'a journal segment whose columns do not agree');
  const jsonLength = raw.readUInt32LE(4);
  if (8 + jsonLength > raw.length) throw bad();
  let header: Header3;
  try {
    header = JSON.parse(raw.toString('utf8', 8, 8 + jsonLength)) as Header3;
  } catch {
    throw bad();
  }
  const { i: ids, c, sources, terms, tw } = header ?? {};
  if (!isStrings(ids) || !isStrings(c) || !isStrings(sources) || !isStrings(terms) || (tw !== 2 && tw !== 4))
    throw bad();
  const n = ids.length;
  let at = 8 + jsonLength;
  const take = <T extends Column>(make: (length: number) => T, length: number): T => {
    at += pad8(at);
    // Checked before allocating: a corrupt count must not ask for gigabytes.
    if (at + length * make(0).BYTES_PER_ELEMENT > raw.length) throw bad();
    const out = make(length);
    // Copied: the inflated buffer is dropped once read, and may not be aligned for a view.
    new Uint8Array(out.buffer).set(raw.subarray(at, at + out.byteLength));
    at += out.byteLength;
    return out;
  };
  const published = take((l) => new Float64Array(l), n);
  const fetched = take((l) => new Float64Array(l), n);
  const source = take((l) => new Uint32Array(l), n);
  const seq = take((l) => new Uint32Array(l), n);
  const fingerprints = take((l) => new Int32Array(l), 2 * n);
  const termCounts = take((l) => new Uint32Array(l), n);
  const keyLengths = take((l) => new Int32Array(l), n);
  let total = 0;
  for (const k of termCounts) total += k;
  const termNumbers =
    tw === 2 ? take((l) => new Uint16Array(l), total) : take((l) => new Uint32Array(l), total);
  at += pad8(at);
  let units = 0;
  for (const k of keyLengths) {
    if (k < -1) throw bad();
    if (k > 0) units += k;
  }
  if (at + 2 * units !== raw.length) throw bad();
  // One string per key: slices of one decoded run would keep the whole run alive, 13 bytes more
  // an article in the index.
  let from = at;
  const keys = Array.from(keyLengths, (k) => {
    if (k < 0) return undefined;
    from += 2 * k;
    return raw.toString('utf16le', from - 2 * k, from);
  });
  return checked(
    {
      ids,
      clusters: c.map((x, k) => (x === '' ? ids[k]! : x)),
      keys,
      sources,
      terms,
      source,
      published,
      fetched,
      seq,
      fingerprints,
      termCounts,
      termNumbers,
    },
    n,
  );
}
