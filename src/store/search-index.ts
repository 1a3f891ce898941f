import type { Article } from '../domain/types.ts';
import { fingerprintBands, isNearDuplicate } from '../text/fingerprint.ts';

/** What one stored article contributes to the index (also the journal's entry shape). */
export interface IndexEntry {
  /** Article id. */
  i: string;
  /** Source id. */
  s: string;
  /** Published, epoch ms. */
  p: number;
  /** Fetched (stored), epoch ms. */
  f: number;
  /** SimHash fingerprint, 16 hex digits. */
  fp: string;
  /** Near-duplicate cluster id. */
  c: string;
  /** Normalised index terms. */
  t: string[];
  /**
   * Number of the journal batch that made the article visible (stamped when the batch is written
   * or read): a digest's cursor, which cannot go backwards the way fetch times can.
   */
  q?: number;
}

/** The index entry of a stored article. */
export function indexEntryOf(a: Article): IndexEntry {
  return {
    i: a.id,
    s: a.sourceId,
    p: a.publishedAt.getTime(),
    f: a.fetchedAt.getTime(),
    fp: a.fingerprint,
    c: a.clusterId,
    t: a.terms,
  };
}

/** A hit of a search or a selection, newest first. */
export interface IndexHit {
  id: string;
  sourceId: string;
  publishedAt: number;
  fetchedAt: number;
  clusterId: string;
  /** Journal batch number (0 when unknown). */
  seq: number;
}

/** Options of {@link SearchIndex.search} and {@link SearchIndex.select}. */
export interface SelectOptions {
  sourceIds?: ReadonlySet<string>;
  /** Only articles published at or after (epoch ms). */
  publishedSince?: number;
  /** Only articles stored after (epoch ms). */
  fetchedAfter?: number;
  /** Only articles of journal batches after this number … */
  seqAfter?: number;
  /** … and up to this one (what this process has read without gaps). */
  seqUpTo?: number;
  limit?: number;
  offset?: number;
}

const EMPTY_FP = '0000000000000000';

/**
 * The in-memory inverted index over stored articles: terms and sources to article ordinals,
 * SimHash bands to ordinals, clusters to members. Built from the search journal (see
 * `search-journal.ts`), so that a search is a few array intersections instead of a scan —
 * MongoDB's `$text` has no Chinese analyser and FerretDB evaluates array filters in a scan.
 */
export class SearchIndex {
  private readonly entries: IndexEntry[] = [];
  private readonly alive: boolean[] = [];
  private readonly ordinalOf = new Map<string, number>();
  private readonly terms = new Map<string, number[]>();
  private readonly sources = new Map<string, number[]>();
  private readonly bands = new Map<string, number[]>();
  private readonly clusters = new Map<string, number[]>();
  /** Ids removed by retention: journal batches read later must not bring them back. */
  private readonly removed = new Set<string>();

  /** Number of live articles. */
  get size(): number {
    return this.ordinalOf.size;
  }

  has(articleId: string): boolean {
    return this.ordinalOf.has(articleId);
  }

  /** Add entries; an article already present is ignored. */
  add(entries: readonly IndexEntry[]): void {
    for (const e of entries) {
      if (this.ordinalOf.has(e.i) || this.removed.has(e.i)) continue;
      const n = this.entries.length;
      this.entries.push(e);
      this.alive.push(true);
      this.ordinalOf.set(e.i, n);
      for (const t of e.t) push(this.terms, t, n);
      push(this.sources, e.s, n);
      push(this.clusters, e.c, n);
      if (e.fp !== EMPTY_FP) for (const b of fingerprintBands(e.fp)) push(this.bands, b, n);
    }
  }

  /** Forget articles (retention); their ordinals are skipped from then on. */
  remove(articleIds: Iterable<string>): void {
    for (const id of articleIds) {
      this.removed.add(id);
      const n = this.ordinalOf.get(id);
      if (n === undefined) continue;
      this.alive[n] = false;
      this.ordinalOf.delete(id);
    }
  }

  /** Ids of live articles fetched before `ms`. */
  fetchedBefore(ms: number): string[] {
    const out: string[] = [];
    for (let n = 0; n < this.entries.length; n++) {
      const e = this.entries[n]!;
      if (this.alive[n] && e.f < ms) out.push(e.i);
    }
    return out;
  }

  /**
   * Articles that contain every term, newest published first. An empty term list selects
   * everything (subject to the options).
   */
  search(queryTerms: readonly string[], opts: SelectOptions = {}): IndexHit[] {
    const ords = this.matching(queryTerms, opts).sort(this.newerFirst);
    const offset = opts.offset ?? 0;
    const page = opts.limit === undefined ? ords.slice(offset) : ords.slice(offset, offset + opts.limit);
    return page.map((n) => this.hit(n));
  }

  /**
   * The newest `want` matches, one per near-duplicate cluster, and how many articles matched,
   * without sorting every match (a page of /headlines over 100,000 articles needs ten).
   */
  newest(
    queryTerms: readonly string[],
    opts: SelectOptions,
    want: number,
  ): { hits: IndexHit[]; total: number } {
    const ords = this.matching(queryTerms, opts);
    let k = Math.min(ords.length, want * 2 + 16);
    for (;;) {
      const seen = new Set<string>();
      const hits: IndexHit[] = [];
      for (const n of this.topK(ords, k)) {
        const h = this.hit(n);
        if (seen.has(h.clusterId)) continue;
        seen.add(h.clusterId);
        hits.push(h);
      }
      if (hits.length >= want || k >= ords.length) return { hits: hits.slice(0, want), total: ords.length };
      k = Math.min(ords.length, k * 4);
    }
  }

  /** Live ordinals that hold every term and pass the filters, in insertion order. */
  private matching(queryTerms: readonly string[], opts: SelectOptions): number[] {
    let candidates: number[] | null = null;
    if (queryTerms.length > 0) {
      const lists = queryTerms.map((t) => this.terms.get(t) ?? []).sort((a, b) => a.length - b.length);
      candidates = lists[0] ?? [];
      for (const l of lists.slice(1)) {
        if (candidates.length === 0) break;
        candidates = intersectSorted(candidates, l);
      }
    }
    if (opts.sourceIds && opts.sourceIds.size > 0) {
      const fromSources = [...opts.sourceIds].map((s) => this.sources.get(s) ?? []);
      const merged = mergeSorted(fromSources);
      candidates = candidates ? intersectSorted(candidates, merged) : merged;
    }
    const out: number[] = [];
    const total = candidates ? candidates.length : this.entries.length;
    for (let k = 0; k < total; k++) {
      const n = candidates ? candidates[k]! : k;
      if (!this.alive[n]) continue;
      const e = this.entries[n]!;
      if (opts.publishedSince !== undefined && e.p < opts.publishedSince) continue;
      if (opts.fetchedAfter !== undefined && e.f <= opts.fetchedAfter) continue;
      if (opts.seqAfter !== undefined && (e.q ?? 0) <= opts.seqAfter) continue;
      if (opts.seqUpTo !== undefined && (e.q ?? 0) > opts.seqUpTo) continue;
      out.push(n);
    }
    return out;
  }

  /** Negative when ordinal `a` is the newer (published, then stored). */
  private readonly newerFirst = (a: number, b: number): number => {
    const x = this.entries[a]!;
    const y = this.entries[b]!;
    return y.p - x.p || y.f - x.f;
  };

  /** The `k` newest of `ords`, newest first: a bounded insertion pass instead of a full sort. */
  private topK(ords: readonly number[], k: number): number[] {
    if (k * 4 >= ords.length) return [...ords].sort(this.newerFirst).slice(0, k);
    const top: number[] = [];
    for (const n of ords) {
      if (top.length === k && this.newerFirst(n, top[k - 1]!) >= 0) continue;
      let lo = 0;
      let hi = top.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.newerFirst(top[mid]!, n) <= 0) lo = mid + 1;
        else hi = mid;
      }
      top.splice(lo, 0, n);
      if (top.length > k) top.pop();
    }
    return top;
  }

  private hit(n: number): IndexHit {
    const e = this.entries[n]!;
    return { id: e.i, sourceId: e.s, publishedAt: e.p, fetchedAt: e.f, clusterId: e.c, seq: e.q ?? 0 };
  }

  /** Cluster of the first live article whose fingerprint is within the near-duplicate distance. */
  findCluster(fp: string): string | null {
    if (fp === EMPTY_FP) return null;
    const seen = new Set<number>();
    for (const b of fingerprintBands(fp)) {
      for (const n of this.bands.get(b) ?? []) {
        if (seen.has(n) || !this.alive[n]) continue;
        seen.add(n);
        const e = this.entries[n]!;
        if (isNearDuplicate(fp, e.fp)) return e.c;
      }
    }
    return null;
  }

  /** Live members of a cluster: article and source ids, when they were stored and their batch, oldest first. */
  clusterMembers(clusterId: string): Array<{ id: string; sourceId: string; fetchedAt: number; seq: number }> {
    return (this.clusters.get(clusterId) ?? [])
      .filter((n) => this.alive[n])
      .map((n) => {
        const e = this.entries[n]!;
        return { id: e.i, sourceId: e.s, fetchedAt: e.f, seq: e.q ?? 0 };
      });
  }
}

function push(map: Map<string, number[]>, key: string, n: number): void {
  const list = map.get(key);
  if (list) list.push(n);
  else map.set(key, [n]);
}

function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

function mergeSorted(lists: ReadonlyArray<readonly number[]>): number[] {
  if (lists.length === 1) return [...lists[0]!];
  return [...new Set(lists.flat())].sort((x, y) => x - y);
}
