import type { Article } from '../domain/types.ts';
import { headlineKey } from '../text/headline-key.ts';
import type { HeadlineTokens } from '../text/headline-tokens.ts';
import type { TermQuery } from '../text/index-terms.ts';
import { compareTokens, storyTokens } from '../text/same-story.ts';
import { FingerprintBands } from './fingerprint-bands.ts';

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
  /**
   * Headline key (`headline-key.ts`), what a near-duplicate candidate is verified against.
   * Absent in entries journaled before verification existed: those are never joined.
   */
  h?: string;
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
    h: headlineKey(a.title),
  };
}

/** What {@link SearchIndex.findCluster} needs of a new article: its own index entry will do. */
export type ClusterProbe = Pick<IndexEntry, 'i' | 's' | 'p' | 'f' | 'fp' | 't' | 'h'>;

/**
 * SimHash candidates verified per look-up, closest first: a repeat of the headline has the same
 * body (distance 0) and comes first; the rest are mostly siblings of a series.
 */
const MAX_SIMHASH_CANDIDATES = 4;
/** Candidates sharing terms verified per look-up, most shared first. */
const MAX_TERM_CANDIDATES = 4;
/** A term candidate shares at least this part of the new headline's bigrams and words. */
const MIN_SHARED_TERMS = 1 / 3;
/** Newest postings of each term read when looking for term candidates … */
const TERM_SCAN_LIMIT = 300;
/** … and of all terms together, per look-up. */
const TERM_SCAN_BUDGET = 1500;
/** Term candidates are articles stored at most this long before the new one. */
const TERM_WINDOW_MS = 3 * 24 * 3600_000;
/**
 * One source's articles published further apart than this are different stories even with the
 * same headline: a recurring column (每日早报), not a repost.
 */
const SAME_SOURCE_MAX_GAP_MS = 20 * 3600_000;

const HAN_BIGRAM = /^\p{Script=Han}{2}$/u;
const HAN = /\p{Script=Han}/u;

/** Index terms that measure overlap: CJK bigrams and latin / digit words, not single characters. */
function overlapTerms(terms: readonly string[]): string[] {
  return terms.filter((t) => HAN_BIGRAM.test(t) || !HAN.test(t));
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

/**
 * What a search asks for: terms an article must all hold, or several such term lists of which
 * an article must satisfy one (a query and its regional variants, `queryAlternatives`).
 */
export type IndexQuery = readonly string[] | { anyOf: readonly TermQuery[] };

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
  private readonly fingerprints = new FingerprintBands();
  private readonly clusters = new Map<string, number[]>();
  /** Scratch counts of shared terms per ordinal, all zero between look-ups. */
  private shared = new Uint16Array(0);
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
      this.fingerprints.add(n, e.fp);
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
  search(queryTerms: IndexQuery, opts: SelectOptions = {}): IndexHit[] {
    const ords = this.matching(queryTerms, opts).sort(this.newerFirst);
    const offset = opts.offset ?? 0;
    const page = opts.limit === undefined ? ords.slice(offset) : ords.slice(offset, offset + opts.limit);
    return page.map((n) => this.hit(n));
  }

  /**
   * The newest `want` matches, one per near-duplicate cluster, and how many articles matched,
   * without sorting every match (a page of /headlines over 100,000 articles needs ten).
   */
  newest(queryTerms: IndexQuery, opts: SelectOptions, want: number): { hits: IndexHit[]; total: number } {
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

  /** Ordinals that hold every term (insertion order); null for no terms (everything). */
  private holdingAll(terms: readonly string[]): number[] | null {
    if (terms.length === 0) return null;
    const lists = terms.map((t) => this.terms.get(t) ?? []).sort((a, b) => a.length - b.length);
    let candidates = lists[0] ?? [];
    for (const l of lists.slice(1)) {
      if (candidates.length === 0) break;
      candidates = intersectSorted(candidates, l);
    }
    return candidates;
  }

  /** Ordinals that satisfy one of the alternatives (terms and headline-key check), in insertion order. */
  private holdingAny(alternatives: readonly TermQuery[]): number[] | null {
    if (alternatives.length === 0) return null;
    const found: number[][] = [];
    for (const alt of alternatives) {
      const ords = this.holdingAll(alt.terms);
      if (ords === null) return null;
      const accept = alt.accept;
      found.push(accept ? ords.filter((n) => accept(this.entries[n]!.h)) : ords);
    }
    return found.length === 1 ? found[0]! : mergeSorted(found);
  }

  /** Live ordinals that hold every term and pass the filters, in insertion order. */
  private matching(query: IndexQuery, opts: SelectOptions): number[] {
    let candidates = 'anyOf' in query ? this.holdingAny(query.anyOf) : this.holdingAll(query);
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

  /**
   * The near-duplicate cluster a new article joins, or null for a story of its own. Candidates
   * are live articles whose fingerprint is within the candidate distance (closest first) and,
   * when none of those is the same story, recent articles that share many of its terms
   * (reworded headlines). The first whose headline reports the same story (`same-story.ts`) —
   * and the cluster's first article too, when it is still here, so a cluster cannot drift —
   * gives the cluster. Entries without a headline key (journaled before verification) cannot be
   * verified and are never joined.
   */
  findCluster(probe: ClusterProbe): string | null {
    const key = probe.h;
    if (key === undefined || key === '') return null;
    const verifier = new Verifier(probe, key);
    const tried = new Set<number>();
    const join = (n: number): string | null => {
      tried.add(n);
      const e = this.entries[n]!;
      if (!verifier.sameStory(e)) return null;
      const head = this.ordinalOf.get(e.c);
      if (head !== undefined && head !== n && !verifier.sameStory(this.entries[head]!)) return null;
      return e.c;
    };
    for (const n of this.fingerprints.near(probe.fp, MAX_SIMHASH_CANDIDATES, (n) => !this.alive[n])) {
      const cluster = join(n);
      if (cluster !== null) return cluster;
    }
    for (const n of this.termCandidates(probe, tried)) {
      const cluster = join(n);
      if (cluster !== null) return cluster;
    }
    return null;
  }

  /**
   * Recent live ordinals not in `skip` that share at least {@link MIN_SHARED_TERMS} of the
   * probe's bigrams and words, most shared then newest first. Terms are read rarest first, the
   * newest {@link TERM_SCAN_LIMIT} postings of each, until {@link TERM_SCAN_BUDGET} postings are
   * read; the share counts the terms read (a common word left unread is no evidence either way).
   */
  private termCandidates(probe: ClusterProbe, skip: ReadonlySet<number>): number[] {
    const lists = overlapTerms(probe.t)
      .map((t) => this.terms.get(t) ?? [])
      .sort((x, y) => x.length - y.length);
    if (this.shared.length < this.entries.length) this.shared = new Uint16Array(this.entries.length * 2);
    const shared = this.shared;
    const touched: number[] = [];
    const first = this.firstFetchedAtOrAfter(probe.f - TERM_WINDOW_MS);
    let budget = TERM_SCAN_BUDGET;
    let read = 0;
    for (const list of lists) {
      if (budget <= 0) break;
      read++;
      for (
        let k = list.length - 1, end = Math.max(0, list.length - Math.min(TERM_SCAN_LIMIT, budget));
        k >= end;
        k--
      ) {
        budget--;
        const n = list[k]!;
        if (n < first) break;
        if (shared[n] === 0) touched.push(n);
        shared[n]!++;
      }
    }
    const needed = Math.max(2, Math.ceil(read * MIN_SHARED_TERMS));
    const found: number[] = [];
    for (const n of touched) {
      if (shared[n]! >= needed && this.alive[n] && !skip.has(n)) found.push(n);
    }
    found.sort((x, y) => shared[y]! - shared[x]! || y - x);
    for (const n of touched) shared[n] = 0;
    return found.slice(0, MAX_TERM_CANDIDATES);
  }

  /**
   * First ordinal stored at or after `ms`. Ordinals are in journal order, which follows storage
   * time (up to writers racing by milliseconds), so a binary search finds the window's start.
   */
  private firstFetchedAtOrAfter(ms: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.f < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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

/** Verifies candidates against one new article, tokenising its headline key once. */
class Verifier {
  private tokens: HeadlineTokens | undefined;

  constructor(
    private readonly probe: ClusterProbe,
    private readonly key: string,
  ) {}

  sameStory(e: IndexEntry): boolean {
    const { probe } = this;
    if (e.h === undefined || e.i === probe.i) return false;
    if (e.s === probe.s && Math.abs(e.p - probe.p) > SAME_SOURCE_MAX_GAP_MS) return false;
    if (e.h === this.key) return true;
    this.tokens ??= storyTokens(this.key);
    return compareTokens(this.tokens, storyTokens(e.h)).same;
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
