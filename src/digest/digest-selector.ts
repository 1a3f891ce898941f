import { namesForChat } from '../chats/subscription-names.ts';
import type { Article, Chat, DigestItem, Subscription } from '../domain/types.ts';
import type { ArticleStore } from '../store/article-store.ts';
import type { IndexHit, SearchIndex, SelectOptions } from '../store/search-index.ts';
import { articleFilterText, matchesFilterWord, passesFilters } from '../text/filter-match.ts';
import { queryAlternatives } from '../text/index-terms.ts';
import { convertScript } from '../text/script-converter.ts';
import { itemExtras, itemFormatOf } from './item-format.ts';

/** Most items in one digest. */
export const DIGEST_CAP = 30;

/** Items of one forum topic / thread (null: the chat itself), grouped by source in display order. */
export interface SelectedDigest {
  threadId: string | null;
  groups: Array<{ sourceName: string; items: DigestItem[] }>;
  count: number;
}

/**
 * Which stored articles a digest covers: those of journal batches after the chat's last digest
 * (`afterSeq`) up to what this process has read without gaps (`upToSeq`); a chat's first digest
 * (no cursor yet) takes what was stored after `sinceMs` instead. Journal numbers cannot go
 * backwards the way fetch times can: an article fetched before a digest but journalled after it
 * is in the next one.
 */
export interface DigestWindow {
  sinceMs: number;
  afterSeq: number | null;
  upToSeq: number;
}

/**
 * Selections one run keeps for chats that share them. Items are shared between selections, so
 * each is about a kilobyte of references: 20,000 hold a few tens of MB.
 */
const SHARED_SELECTIONS = 20_000;
/** Items one run keeps for selections to share (one per article, script, format and names). */
const SHARED_ITEMS = 100_000;
/** Keyword look-ups one run keeps (each at most `4 × cap` hits: about 10 kB). */
const SHARED_KEYWORDS = 2_000;

/** Order of strings by code unit (the first element of each pair). */
const byFirst = ([a]: readonly [string, unknown], [b]: readonly [string, unknown]) =>
  a < b ? -1 : a > b ? 1 : 0;

/** Set `key` in `map`, first dropping its oldest entry when it holds `max`. */
function keepBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** A {@link SelectOptions} window as a look-up key. */
const rangeKey = (range: SelectOptions) =>
  `${range.seqAfter ?? ''}|${range.fetchedAfter ?? ''}|${range.seqUpTo ?? ''}`;

/** A near-duplicate cluster's member, as {@link SearchIndex.clusterMembers} gives it. */
type ClusterMember = ReturnType<SearchIndex['clusterMembers']>[number];

/**
 * Index look-ups that the digests of one run share: the chats of a scheduled group select from
 * the same window and mostly from the same sources, so each source's articles in a window and
 * each cluster's members are looked up once per run instead of once per chat. Valid while the
 * index does not change under it: make one per run (a cluster that grows meanwhile shows its
 * new members in the next run).
 */
export class SelectionLookups {
  private readonly bySource = new Map<string, IndexHit[]>();
  private readonly byKeyword = new Map<string, IndexHit[]>();
  private readonly members = new Map<string, ClusterMember[]>();
  private readonly selections = new Map<string, Promise<SelectedDigest[]>>();
  private readonly items = new Map<string, DigestItem>();

  constructor(readonly index: SearchIndex) {}

  /**
   * The selection of {@link selectionKey} `key`, made by `make` the first time (chats whose
   * inputs are the same share it). At most {@link SHARED_SELECTIONS} are kept, the oldest
   * dropped first; a failed one is not kept.
   */
  selection(key: string, make: () => Promise<SelectedDigest[]>): Promise<SelectedDigest[]> {
    let found = this.selections.get(key);
    if (found) {
      // Most recently used last: the selections many chats share stay while rare ones go.
      this.selections.delete(key);
      this.selections.set(key, found);
    } else {
      found = make();
      keepBounded(this.selections, key, found, SHARED_SELECTIONS);
      found.catch(() => this.selections.delete(key));
    }
    return found;
  }

  /** The item `key` names, built by `make` the first time: selections share their items. */
  item(key: string, make: () => DigestItem): DigestItem {
    let found = this.items.get(key);
    if (!found) {
      found = make();
      keepBounded(this.items, key, found, SHARED_ITEMS);
    }
    return found;
  }

  /** Articles of `sourceId` in `range`, newest first. */
  sourceHits(sourceId: string, range: SelectOptions): IndexHit[] {
    const key = `${sourceId}|${rangeKey(range)}`;
    let hits = this.bySource.get(key);
    if (!hits) {
      hits = this.index.search([], { ...range, sourceIds: new Set([sourceId]) });
      this.bySource.set(key, hits);
    }
    return hits;
  }

  /**
   * The newest `limit` articles in `range` that contain `keyword` in any script, one per
   * near-duplicate cluster: chats of a run that follow the same keyword search once.
   */
  keywordHits(keyword: string, range: SelectOptions, limit: number): IndexHit[] {
    const key = `${keyword}|${rangeKey(range)}|${limit}`;
    let hits = this.byKeyword.get(key);
    if (!hits) {
      const alternatives = queryAlternatives(keyword);
      hits = alternatives.length === 0 ? [] : this.index.search({ anyOf: alternatives }, { ...range, limit });
      keepBounded(this.byKeyword, key, hits, SHARED_KEYWORDS);
    }
    return hits;
  }

  clusterMembers(clusterId: string): readonly ClusterMember[] {
    let found = this.members.get(clusterId);
    if (!found) {
      found = this.index.clusterMembers(clusterId);
      this.members.set(clusterId, found);
    }
    return found;
  }
}

/** What a selection needs from the core. */
export interface SelectorDeps {
  /** The index, through look-ups shared by a run of digests (a new one per call when alone). */
  index: SearchIndex | SelectionLookups;
  articles: Pick<ArticleStore, 'getMany'>;
  /** Source names by id; `needed` ids are read fresh when a cached map lacks them. */
  sourceNames: (needed: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

/**
 * Choose a digest's articles: those in the digest's `window`, matching a subscription that is not
 * muted (a source, or a keyword in any script), passing the chat's include/exclude filters and that
 * subscription's own (immune to invisible characters, see `filter-match.ts`), one per near-duplicate
 * cluster (the other sources named), newest first, at most {@link DIGEST_CAP}; titles (and the
 * summaries a format adds, `item-format.ts`) converted to the chat's script, sources under the
 * names the chat gave them. Index look-ups are in memory;
 * only candidates are read from the store. Through a {@link SelectionLookups}, chats with the
 * same {@link selectionKey} share one selection (and the same digest items).
 */
export function selectDigest(
  deps: SelectorDeps,
  chat: Chat,
  window: DigestWindow,
  opts: { cap?: number } = {},
): Promise<SelectedDigest[]> {
  const cap = opts.cap ?? DIGEST_CAP;
  const lookups = deps.index instanceof SelectionLookups ? deps.index : new SelectionLookups(deps.index);
  return lookups.selection(selectionKey(chat, window, cap), () =>
    selectOnce(deps, lookups, chat, window, cap),
  );
}

/**
 * A chat's live source subscriptions by source id, in source-id order (the last one of a source
 * counts): the order a chat subscribed in changes nothing it gets.
 */
function liveSources(live: readonly Subscription[]): Array<[string, Subscription]> {
  const bySource = new Map<string, Subscription>();
  for (const s of live) if (s.kind === 'source' && s.sourceId) bySource.set(s.sourceId, s);
  return [...bySource].sort(byFirst);
}

/**
 * Everything {@link selectDigest} reads of a chat and its window, as one string: chats with the
 * same key get the same digest, so a run selects once for all of them. Whatever the selection
 * comes to read of a chat must be added here.
 */
export function selectionKey(chat: Chat, window: DigestWindow, cap: number): string {
  const live = chat.subscriptions.filter((s) => !s.muted);
  const own = (s: Subscription) => [s.include, s.exclude, s.threadId, s.format ?? null];
  return JSON.stringify([
    window.afterSeq === null ? ['since', window.sinceMs] : ['after', window.afterSeq],
    window.upToSeq,
    cap,
    chat.include,
    chat.exclude,
    chat.script,
    chat.itemFormat ?? null,
    liveSources(live).map(([id, s]) => [id, ...own(s)]),
    live.filter((s) => s.kind === 'keyword' && s.keyword).map((s) => [s.keyword, ...own(s)]),
    [...namesForChat(new Map(), chat.subscriptions)].sort(byFirst),
  ]);
}

async function selectOnce(
  { articles, sourceNames }: SelectorDeps,
  lookups: SelectionLookups,
  chat: Chat,
  window: DigestWindow,
  cap: number,
): Promise<SelectedDigest[]> {
  const range: SelectOptions =
    window.afterSeq === null
      ? { fetchedAfter: window.sinceMs, seqUpTo: window.upToSeq }
      : { seqAfter: window.afterSeq, seqUpTo: window.upToSeq };
  // Every subscription an article matches: when one's own filters refuse it, another may take it.
  const hits = new Map<string, { hit: IndexHit; subs: Subscription[] }>();
  const addHit = (hit: IndexHit, sub: Subscription) => {
    const found = hits.get(hit.id);
    if (found) found.subs.push(sub);
    else hits.set(hit.id, { hit, subs: [sub] });
  };
  const live = chat.subscriptions.filter((s) => !s.muted);
  const bySource = new Map(liveSources(live));
  for (const [sourceId, sub] of bySource)
    for (const hit of lookups.sourceHits(sourceId, range)) addHit(hit, sub);
  const keywordSubs = live.filter((s) => s.kind === 'keyword' && s.keyword);
  for (const s of keywordSubs)
    for (const hit of lookups.keywordHits(s.keyword!, range, cap * 4)) addHit(hit, s);
  const ordered = [...hits.values()].sort(
    (a, b) => b.hit.publishedAt - a.hit.publishedAt || b.hit.fetchedAt - a.hit.fetchedAt,
  );
  // Clusters that may still give an item: true until one of their articles is chosen or the
  // chat's own filters refuse the story.
  const open = new Map<string, boolean>();
  const candidates: typeof ordered = [];
  // A story the chat already got in an earlier digest (an older member from a subscribed
  // source) is not repeated when another outlet reports it later.
  const before = (m: { fetchedAt: number; seq: number }) =>
    window.afterSeq === null ? m.fetchedAt <= window.sinceMs : m.seq <= window.afterSeq;
  const deliveredBefore = (clusterId: string) =>
    lookups.clusterMembers(clusterId).some((m) => before(m) && bySource.has(m.sourceId));
  for (const h of ordered) {
    if (!open.has(h.hit.clusterId)) open.set(h.hit.clusterId, !deliveredBefore(h.hit.clusterId));
    if (open.get(h.hit.clusterId)) candidates.push(h);
  }
  const chosen: Array<{ article: Article; sub: Subscription }> = [];
  // Filters need the stored titles: read candidates in small batches until the cap is met.
  for (let i = 0; i < candidates.length && chosen.length < cap; i += cap * 2) {
    const batch = candidates.slice(i, i + cap * 2).filter((b) => open.get(b.hit.clusterId));
    const read = await articles.getMany(batch.map((b) => b.hit.id));
    const byId = new Map(read.map((a) => [a.id, a]));
    for (const b of batch) {
      const a = byId.get(b.hit.id);
      if (!a || chosen.length >= cap || !open.get(b.hit.clusterId)) continue;
      const text = articleFilterText(a);
      if (!passesFilters(text, chat)) {
        open.set(b.hit.clusterId, false);
        continue;
      }
      // Refused by every subscription's own words: another outlet's report may suit another one.
      const sub = b.subs.find(
        (s) => (s.kind !== 'keyword' || matchesFilterWord(text, s.keyword!)) && passesFilters(text, s),
      );
      if (!sub) continue;
      open.set(b.hit.clusterId, false);
      chosen.push({ article: a, sub });
    }
  }
  if (chosen.length === 0) return [];
  // A source added moments ago is named too, not shown by its id.
  const shown = new Set<string>();
  for (const { article } of chosen) {
    shown.add(article.sourceId);
    for (const m of lookups.clusterMembers(article.clusterId)) shown.add(m.sourceId);
  }
  const names = namesForChat(await sourceNames([...shown]), chat.subscriptions);
  return groupByThread(lookups, chosen, names, chat);
}

function groupByThread(
  lookups: SelectionLookups,
  chosen: Array<{ article: Article; sub: Subscription }>,
  names: ReadonlyMap<string, string>,
  chat: Chat,
): SelectedDigest[] {
  const script = chat.script;
  const threads = new Map<string | null, SelectedDigest>();
  for (const { article: a, sub } of chosen) {
    const thread = sub.threadId ?? null;
    let digest = threads.get(thread);
    if (!digest) {
      digest = { threadId: thread, groups: [], count: 0 };
      threads.set(thread, digest);
    }
    const sourceName = names.get(a.sourceId) ?? a.sourceId;
    let group = digest.groups.find((g) => g.sourceName === sourceName);
    if (!group) {
      group = { sourceName, items: [] };
      digest.groups.push(group);
    }
    const others = new Set<string>();
    for (const m of lookups.clusterMembers(a.clusterId)) {
      if (m.sourceId !== a.sourceId) others.add(names.get(m.sourceId) ?? m.sourceId);
    }
    const format = itemFormatOf(chat, sub);
    const key = JSON.stringify([a.id, script, format, sourceName, ...others]);
    group.items.push(
      lookups.item(key, () => ({
        articleId: a.id,
        title: convertScript(a.title, script),
        url: a.url,
        sourceName: convertScript(sourceName, script),
        publishedAt: a.publishedAt.toISOString(),
        alsoReportedBy: [...others],
        ...itemExtras(a, format, script),
      })),
    );
    digest.count++;
  }
  for (const d of threads.values())
    for (const g of d.groups) g.sourceName = convertScript(g.sourceName, script);
  return [...threads.values()];
}
