import type { Article } from '../domain/types.ts';
import { headlineKey } from '../text/headline-key.ts';
import type { HeadlineTokens } from '../text/headline-tokens.ts';
import type { TermQuery } from '../text/index-terms.ts';
import { compareTokens, storyTokens } from '../text/same-story.ts';
import { FingerprintBands } from './fingerprint-bands.ts';
import type { EntryColumns } from './packed-entries.ts';
import { intersectSorted, mergeSorted, PostingList, postingsOf } from './posting-list.ts';

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
/** The index is not renumbered for fewer forgotten ordinals than this. */
const MIN_RENUMBER = 4096;
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
 *
 * Compact (docs/decisions/0015-million-article-archive.md): an article is an ordinal into typed
 * columns, its terms are postings in `Uint32Array`s and not kept as strings, sources are
 * interned, and a cluster is the ordinal of its first member here.
 */
export class SearchIndex {
  private readonly retentionMs: number | undefined;
  private readonly now: () => number;
  private count = 0;
  private live = 0;
  private capacity = 1024;
  private published = new Float64Array(this.capacity);
  private fetched = new Float64Array(this.capacity);
  private seqs = new Uint32Array(this.capacity);
  private sourceOf = new Uint32Array(this.capacity);
  /** Ordinal of the first member here of the article's cluster (its root). */
  private root = new Int32Array(this.capacity);
  private alive = new Uint8Array(this.capacity);
  private ids: string[] = [];
  private keys: Array<string | undefined> = [];
  /**
   * Ordinal of every article added, removed ones too (-1 once renumbered away, or when removed
   * before it was read): journal batches read later must not bring a removed article back, and a
   * removed first member still roots its cluster. A renumbering forgets the ids past retention,
   * which `add` refuses by their age.
   */
  private readonly ordinalOf = new Map<string, number>();
  private readonly terms = new Map<string, PostingList>();
  private readonly sourceNumber = new Map<string, number>();
  private readonly sourceIds: string[] = [];
  private readonly sources: PostingList[] = [];
  private readonly fingerprints = new FingerprintBands();
  /** Members of clusters with more than one, by root. */
  private readonly members = new Map<number, number[]>();
  /** Cluster ids of roots that are not the root's own article id (its first article is not here). */
  private readonly clusterOfRoot = new Map<number, string>();
  /** Roots of those clusters, by cluster id. */
  private readonly rootOfCluster = new Map<string, number>();
  /** Scratch counts of shared terms per ordinal, all zero between look-ups. */
  private shared = new Uint16Array(0);
  /** Ordinals below this were looked at by {@link expire}. */
  private expiredTo = 0;

  /**
   * @param opts.retentionMs - articles stored longer ago than this are not kept (none expire
   *   when absent): the same period after which the retention job deletes them
   * @param opts.now - the clock (tests)
   */
  constructor(opts: { retentionMs?: number; now?: () => number } = {}) {
    this.retentionMs = opts.retentionMs;
    this.now = opts.now ?? Date.now;
  }

  /** Articles stored before this (epoch ms) are past retention (-Infinity when none expire). */
  keptSince(): number {
    return this.retentionMs === undefined ? Number.NEGATIVE_INFINITY : this.now() - this.retentionMs;
  }

  /** Number of live articles. */
  get size(): number {
    return this.live;
  }

  has(articleId: string): boolean {
    const n = this.ordinalOf.get(articleId);
    return n !== undefined && this.alive[n] === 1;
  }

  /** Add entries; an article already present, removed or past retention is ignored. */
  add(entries: readonly IndexEntry[]): void {
    const since = this.keptSince();
    for (const e of entries) {
      if (e.f < since) continue;
      const n = this.place(e.i, this.internSource(e.s), e.p, e.f, e.q ?? 0, e.c, e.h);
      if (n < 0) continue;
      for (const t of e.t) this.postingsFor(t).push(n);
      this.fingerprints.add(n, e.fp);
    }
  }

  /** {@link add} for a packed journal segment's columns, looking each of its terms up once. */
  addColumns(cols: EntryColumns): void {
    const since = this.keptSince();
    const sources = cols.sources.map((s) => this.internSource(s));
    const lists: Array<PostingList | undefined> = [];
    const { termCounts, termNumbers, fingerprints } = cols;
    let at = 0;
    for (let k = 0; k < cols.ids.length; k++) {
      const end = at + termCounts[k]!;
      const n =
        cols.fetched[k]! < since
          ? -1
          : this.place(
              cols.ids[k]!,
              sources[cols.source[k]!]!,
              cols.published[k]!,
              cols.fetched[k]!,
              cols.seq[k]!,
              cols.clusters[k]!,
              cols.keys[k],
            );
      if (n >= 0) {
        for (let x = at; x < end; x++) {
          const t = termNumbers[x]!;
          let list = lists[t];
          if (list === undefined) {
            list = this.postingsFor(cols.terms[t]!);
            lists[t] = list;
          }
          list.push(n);
        }
        this.fingerprints.addHalves(n, fingerprints[2 * k]!, fingerprints[2 * k + 1]!);
      }
      at = end;
    }
  }

  /** A new ordinal for an article with its columns, source posting and cluster; -1 when it is already known. */
  private place(
    id: string,
    source: number,
    published: number,
    fetched: number,
    seq: number,
    cluster: string,
    key: string | undefined,
  ): number {
    if (this.ordinalOf.has(id)) return -1;
    const n = this.count++;
    if (n === this.capacity) this.grow();
    this.ids.push(id);
    this.keys.push(key);
    this.ordinalOf.set(id, n);
    this.published[n] = published;
    this.fetched[n] = fetched;
    this.seqs[n] = seq;
    this.alive[n] = 1;
    this.live++;
    this.sourceOf[n] = source;
    this.sources[source]!.push(n);
    this.joinCluster(n, cluster);
    return n;
  }

  private postingsFor(term: string): PostingList {
    let list = this.terms.get(term);
    if (list === undefined) {
      list = new PostingList();
      this.terms.set(term, list);
    }
    return list;
  }

  private grow(): void {
    this.capacity *= 2;
    const widen = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a as never);
      return b;
    };
    this.published = widen(this.published, new Float64Array(this.capacity));
    this.fetched = widen(this.fetched, new Float64Array(this.capacity));
    this.seqs = widen(this.seqs, new Uint32Array(this.capacity));
    this.sourceOf = widen(this.sourceOf, new Uint32Array(this.capacity));
    this.root = widen(this.root, new Int32Array(this.capacity));
    this.alive = widen(this.alive, new Uint8Array(this.capacity));
  }

  private internSource(sourceId: string): number {
    let k = this.sourceNumber.get(sourceId);
    if (k === undefined) {
      k = this.sourceIds.length;
      this.sourceNumber.set(sourceId, k);
      this.sourceIds.push(sourceId);
      this.sources.push(new PostingList());
    }
    return k;
  }

  /** The root of cluster `clusterId`, or undefined when none of its members was added. */
  private rootOf(clusterId: string): number | undefined {
    const foreign = this.rootOfCluster.get(clusterId);
    if (foreign !== undefined) return foreign;
    const n = this.ordinalOf.get(clusterId);
    return n !== undefined && this.root[n] === n && this.clusterId(n) === clusterId ? n : undefined;
  }

  /** Ordinal `n` joins cluster `clusterId`, rooting it when it is the first member here. */
  private joinCluster(n: number, clusterId: string): void {
    const root = this.rootOf(clusterId);
    if (root === undefined || root === n) {
      this.root[n] = n;
      if (clusterId !== this.ids[n]) {
        this.clusterOfRoot.set(n, clusterId);
        this.rootOfCluster.set(clusterId, n);
      }
      return;
    }
    this.root[n] = root;
    const members = this.members.get(root);
    if (members) members.push(n);
    else this.members.set(root, [root, n]);
  }

  private clusterId(root: number): string {
    return this.clusterOfRoot.get(root) ?? this.ids[root]!;
  }

  /** Forget articles (retention); their ordinals are skipped from then on. */
  remove(articleIds: Iterable<string>): void {
    for (const id of articleIds) {
      const n = this.ordinalOf.get(id);
      if (n !== undefined && this.alive[n] === 1) {
        this.alive[n] = 0;
        this.live--;
      } else if (n === undefined) {
        // Not read yet: a reserved ordinal-less id keeps a later journal batch from adding it.
        this.ordinalOf.set(id, -1);
      }
    }
  }

  /**
   * Forget articles past retention. Every process's index does this itself: the retention job
   * deletes the articles in one process only. Once a quarter of the ordinals are forgotten, the
   * index is renumbered without them, so its memory follows the archive and not the uptime.
   */
  expire(): void {
    const since = this.keptSince();
    // Ordinals follow storage time (up to writers racing by milliseconds): the expired are a prefix.
    while (this.expiredTo < this.count && this.fetched[this.expiredTo]! < since) {
      if (this.alive[this.expiredTo] === 1) {
        this.alive[this.expiredTo] = 0;
        this.live--;
      }
      this.expiredTo++;
    }
    if (this.count - this.live > Math.max(MIN_RENUMBER, this.count / 4)) this.renumber();
  }

  /** Drop forgotten ordinals from every column, posting list, chain and cluster. */
  private renumber(): void {
    const since = this.keptSince();
    const newOf = new Int32Array(this.count).fill(-1);
    let m = 0;
    for (let n = 0; n < this.count; n++) {
      const id = this.ids[n]!;
      if (this.alive[n] === 1) {
        newOf[n] = m;
        this.ordinalOf.set(id, m++);
      } else if (this.fetched[n]! < since) this.ordinalOf.delete(id);
      else this.ordinalOf.set(id, -1);
    }
    // A cluster's new root is its first member still here, which may not be its first article.
    const rootNow = new Int32Array(this.count).fill(-1);
    const members = new Map<number, number[]>();
    const clusterOfRoot = new Map<number, string>();
    const ids: string[] = [];
    const keys: Array<string | undefined> = [];
    for (let n = 0; n < this.count; n++) {
      const k = newOf[n]!;
      if (k < 0) continue;
      const old = this.root[n]!;
      let r = rootNow[old]!;
      if (r < 0) {
        r = k;
        rootNow[old] = k;
        const cluster = this.clusterId(old);
        if (cluster !== this.ids[n]) clusterOfRoot.set(k, cluster);
      } else {
        const list = members.get(r);
        if (list) list.push(k);
        else members.set(r, [r, k]);
      }
      this.root[k] = r;
      this.published[k] = this.published[n]!;
      this.fetched[k] = this.fetched[n]!;
      this.seqs[k] = this.seqs[n]!;
      this.sourceOf[k] = this.sourceOf[n]!;
      this.alive[k] = 1;
      ids.push(this.ids[n]!);
      keys.push(this.keys[n]);
    }
    this.alive.fill(0, m, this.count);
    this.ids = ids;
    this.keys = keys;
    this.members.clear();
    for (const [r, list] of members) this.members.set(r, list);
    this.clusterOfRoot.clear();
    this.rootOfCluster.clear();
    for (const [r, cluster] of clusterOfRoot) {
      this.clusterOfRoot.set(r, cluster);
      this.rootOfCluster.set(cluster, r);
    }
    for (const [term, list] of this.terms) {
      list.renumber(newOf);
      if (list.length === 0) this.terms.delete(term);
    }
    for (const list of this.sources) list.renumber(newOf);
    this.fingerprints.renumber(newOf);
    this.count = m;
    this.expiredTo = 0;
  }

  /** Ids of live articles fetched before `ms`. */
  fetchedBefore(ms: number): string[] {
    const out: string[] = [];
    for (let n = 0; n < this.count; n++) {
      if (this.alive[n] === 1 && this.fetched[n]! < ms) out.push(this.ids[n]!);
    }
    return out;
  }

  /**
   * Articles that contain every term, newest published first. An empty term list selects
   * everything (subject to the options).
   */
  search(queryTerms: IndexQuery, opts: SelectOptions = {}): IndexHit[] {
    const ords = this.matching(queryTerms, opts);
    const offset = opts.offset ?? 0;
    const page =
      opts.limit === undefined
        ? ords.sort(this.newerFirst).slice(offset)
        : this.topK(ords, offset + opts.limit).slice(offset);
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
      const seen = new Set<number>();
      const hits: IndexHit[] = [];
      for (const n of this.topK(ords, k)) {
        if (seen.has(this.root[n]!)) continue;
        seen.add(this.root[n]!);
        hits.push(this.hit(n));
      }
      if (hits.length >= want || k >= ords.length) return { hits: hits.slice(0, want), total: ords.length };
      k = Math.min(ords.length, k * 4);
    }
  }

  /** Ordinals that hold every term (insertion order); null for no terms (everything). */
  private holdingAll(terms: readonly string[]): ArrayLike<number> | null {
    if (terms.length === 0) return null;
    const lists = terms.map((t) => postingsOf(this.terms.get(t))).sort((a, b) => a.length - b.length);
    let candidates: ArrayLike<number> = lists[0]!;
    for (const l of lists.slice(1)) {
      if (candidates.length === 0) break;
      candidates = intersectSorted(candidates, l);
    }
    return candidates;
  }

  /** Ordinals that satisfy one of the alternatives (terms and headline-key check), in insertion order. */
  private holdingAny(alternatives: readonly TermQuery[]): ArrayLike<number> | null {
    if (alternatives.length === 0) return null;
    const found: ArrayLike<number>[] = [];
    for (const alt of alternatives) {
      const ords = this.holdingAll(alt.terms);
      if (ords === null) return null;
      const accept = alt.accept;
      found.push(accept ? Array.prototype.filter.call(ords, (n: number) => accept(this.keys[n])) : ords);
    }
    return mergeSorted(found);
  }

  /** Live ordinals that hold every term and pass the filters, in insertion order. */
  private matching(query: IndexQuery, opts: SelectOptions): number[] {
    let candidates = 'anyOf' in query ? this.holdingAny(query.anyOf) : this.holdingAll(query);
    if (opts.sourceIds && opts.sourceIds.size > 0) {
      const fromSources = [...opts.sourceIds].map((s) => {
        const k = this.sourceNumber.get(s);
        return postingsOf(k === undefined ? undefined : this.sources[k]);
      });
      const merged = mergeSorted(fromSources);
      candidates = candidates ? intersectSorted(candidates, merged) : merged;
    }
    const { alive, published, fetched, seqs } = this;
    const since = opts.publishedSince ?? Number.NEGATIVE_INFINITY;
    const after = opts.fetchedAfter ?? Number.NEGATIVE_INFINITY;
    // Past retention is gone from every answer at once, whenever `expire` next runs.
    const kept = this.keptSince();
    const seqAfter = opts.seqAfter ?? -1;
    const seqUpTo = opts.seqUpTo ?? Number.POSITIVE_INFINITY;
    const out: number[] = [];
    const total = candidates ? candidates.length : this.count;
    for (let k = 0; k < total; k++) {
      const n = candidates ? candidates[k]! : k;
      if (alive[n] === 0 || published[n]! < since || fetched[n]! <= after || fetched[n]! < kept) continue;
      const q = seqs[n]!;
      if (q <= seqAfter || q > seqUpTo) continue;
      out.push(n);
    }
    return out;
  }

  /** Negative when ordinal `a` is the newer (published, then stored). */
  private readonly newerFirst = (a: number, b: number): number =>
    this.published[b]! - this.published[a]! || this.fetched[b]! - this.fetched[a]!;

  /** The `k` newest of `ords`, newest first: a bounded insertion pass instead of a full sort. */
  private topK(ords: number[], k: number): number[] {
    if (k * 4 >= ords.length) return ords.sort(this.newerFirst).slice(0, k);
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
    return {
      id: this.ids[n]!,
      sourceId: this.sourceIds[this.sourceOf[n]!]!,
      publishedAt: this.published[n]!,
      fetchedAt: this.fetched[n]!,
      clusterId: this.clusterId(this.root[n]!),
      seq: this.seqs[n]!,
    };
  }

  /** What verification reads of ordinal `n`. */
  private candidate(n: number): Candidate {
    return { i: this.ids[n]!, s: this.sourceIds[this.sourceOf[n]!]!, p: this.published[n]!, h: this.keys[n] };
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
      if (!verifier.sameStory(this.candidate(n))) return null;
      const cluster = this.clusterId(this.root[n]!);
      const head = this.ordinalOf.get(cluster);
      if (
        head !== undefined &&
        head !== n &&
        this.alive[head] === 1 &&
        !verifier.sameStory(this.candidate(head))
      )
        return null;
      return cluster;
    };
    for (const n of this.fingerprints.near(probe.fp, MAX_SIMHASH_CANDIDATES, (n) => this.alive[n] === 0)) {
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
      .map((t) => postingsOf(this.terms.get(t)))
      .sort((x, y) => x.length - y.length);
    if (this.shared.length < this.count) this.shared = new Uint16Array(this.count * 2);
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
      if (shared[n]! >= needed && this.alive[n] === 1 && !skip.has(n)) found.push(n);
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
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.fetched[mid]! < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Live members of a cluster: article and source ids, when they were stored and their batch, oldest first. */
  clusterMembers(clusterId: string): Array<{ id: string; sourceId: string; fetchedAt: number; seq: number }> {
    const root = this.rootOf(clusterId);
    if (root === undefined) return [];
    return (this.members.get(root) ?? [root])
      .filter((n) => this.alive[n] === 1)
      .map((n) => ({
        id: this.ids[n]!,
        sourceId: this.sourceIds[this.sourceOf[n]!]!,
        fetchedAt: this.fetched[n]!,
        seq: this.seqs[n]!,
      }));
  }
}

/** What a near-duplicate candidate is verified on. */
interface Candidate {
  i: string;
  s: string;
  p: number;
  h: string | undefined;
}

/** Verifies candidates against one new article, tokenising its headline key once. */
class Verifier {
  private tokens: HeadlineTokens | undefined;

  constructor(
    private readonly probe: ClusterProbe,
    private readonly key: string,
  ) {}

  sameStory(e: Candidate): boolean {
    const { probe } = this;
    if (e.h === undefined || e.i === probe.i) return false;
    if (e.s === probe.s && Math.abs(e.p - probe.p) > SAME_SOURCE_MAX_GAP_MS) return false;
    if (e.h === this.key) return true;
    this.tokens ??= storyTokens(this.key);
    return compareTokens(this.tokens, storyTokens(e.h)).same;
  }
}
