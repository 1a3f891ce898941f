import type { Article, Region, Script } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import { REGIONS, regionOf } from '../sources/source-region.ts';
import type { ArticleStore } from '../store/article-store.ts';
import type { SearchJournal } from '../store/search-journal.ts';
import type { SourceStore } from '../store/source-store.ts';
import { queryAlternatives } from '../text/index-terms.ts';
import { convertScript } from '../text/script-converter.ts';

/** Longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 200;
const MAX_LIMIT = 100;
/** How long source names read are kept. */
const NAMES_TTL_MS = 5000;
/** How often a query re-reads the journal for articles other processes stored. */
const REFRESH_EVERY_MS = 1000;

/** A headline as every front end shows it. */
export interface Headline {
  id: string;
  title: string;
  /** The title as published (before script conversion). */
  originalTitle: string;
  url: string;
  source: string;
  sourceId: string;
  publishedAt: Date;
  summary: string;
  /** Names of other sources that reported the same story. */
  alsoReportedBy: string[];
}

/** One outlet's headline of a story (`/story`). */
export interface StoryHeadline {
  id: string;
  /** In the reader's script. */
  title: string;
  url: string;
  source: string;
  sourceId: string;
  region: Region;
  publishedAt: Date;
}

/** A story as every outlet that carries it headlines it, mainland first, then HK, TW, overseas. */
export interface Story {
  /** The article asked about. */
  article: Headline;
  /** One headline per outlet (its first report), in {@link REGIONS} order, oldest first within a region. */
  outlets: StoryHeadline[];
}

/** Most outlets a story shows. */
const MAX_STORY_OUTLETS = 24;

/** A query over stored headlines. */
export interface HeadlineQuery {
  query?: string;
  /** Source id, URL or name. */
  source?: string;
  /** Only headlines published within this many milliseconds. */
  sinceMs?: number;
  limit?: number;
  offset?: number;
  script?: Script;
}

/** One page of results, with whether more exist. */
export interface HeadlinePage {
  items: Headline[];
  total: number;
  offset: number;
}

/**
 * Headlines and script- and region-insensitive search: terms of the normalised query (and of
 * its regional variants, `regional-vocabulary.ts`) intersected in the in-memory index, newest
 * first, then the page's articles read by `_id`.
 */
export class HeadlinesService {
  private names: { at: number; map: Map<string, string>; asked: Set<string>; all: boolean } = {
    at: 0,
    map: new Map(),
    asked: new Set(),
    all: false,
  };

  constructor(
    private readonly deps: { journal: SearchJournal; articles: ArticleStore; sources: SourceStore },
  ) {}

  /** Validate a query string: `bad_input` for control characters or an absurd length. */
  static checkQuery(q: string): string {
    const trimmed = q.trim();
    if ([...trimmed].length > MAX_QUERY_CHARS) {
      throw new NewsrelayError('bad_input', `The query is longer than ${MAX_QUERY_CHARS} characters`, {
        params: { max: MAX_QUERY_CHARS },
      });
    }
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(trimmed)) {
      throw new NewsrelayError('bad_input', 'The query contains control characters');
    }
    return trimmed;
  }

  async query(q: HeadlineQuery): Promise<HeadlinePage> {
    const limit = Math.min(Math.max(1, q.limit ?? 10), MAX_LIMIT);
    const offset = Math.max(0, q.offset ?? 0);
    const text = q.query ? HeadlinesService.checkQuery(q.query) : '';
    let sourceIds: Set<string> | undefined;
    if (q.source) {
      const src = await this.deps.sources.find(q.source);
      if (!src)
        throw new NewsrelayError('not_found', `No source matches "${q.source}"`, {
          params: { source: q.source },
        });
      sourceIds = new Set([src.id]);
    }
    await this.refresh();
    // The query as typed and its regional variants (特朗普 / 川普), any of which may match.
    const alternatives = text ? queryAlternatives(text) : [];
    if (text && alternatives.length === 0) return { items: [], total: 0, offset };
    const { hits, total } = this.deps.journal.index.newest(
      { anyOf: alternatives },
      {
        ...(sourceIds ? { sourceIds } : {}),
        ...(q.sinceMs ? { publishedSince: Date.now() - q.sinceMs } : {}),
      },
      offset + limit,
    );
    const page = await this.deps.articles.getMany(hits.slice(offset).map((h) => h.id));
    const names = await this.sourceNames(this.sourcesShown(page));
    const items = page.map((a) => this.toHeadline(a, names, q.script ?? 'original'));
    return { items, total, offset };
  }

  /** One article with the other sources that reported it; null when unknown. */
  async article(id: string, script: Script = 'original'): Promise<Headline | null> {
    await this.refresh();
    const a = await this.deps.articles.get(id);
    return a ? this.toHeadline(a, await this.sourceNames(this.sourcesShown([a])), script) : null;
  }

  /**
   * The story an article belongs to, as each outlet of its near-duplicate cluster headlined it,
   * with the outlets' regions (set by the operator or guessed from the feed URL); null when the
   * article is unknown.
   */
  async story(id: string, script: Script = 'original'): Promise<Story | null> {
    await this.refresh();
    const a = await this.deps.articles.get(id);
    if (!a) return null;
    const memberIds = this.deps.journal.index.clusterMembers(a.clusterId).map((m) => m.id);
    const ids = [...new Set([a.id, ...memberIds])].slice(0, MAX_STORY_OUTLETS * 4);
    const articles = await this.deps.articles.getMany(ids);
    const sources = await this.deps.sources.getMany([
      ...this.sourcesShown([a]),
      ...articles.map((m) => m.sourceId),
    ]);
    const bySource = new Map(sources.map((s) => [s.id, s]));
    const first = new Map<string, Article>();
    for (const m of [a, ...articles]) {
      const seen = first.get(m.sourceId);
      if (!seen || m.publishedAt < seen.publishedAt) first.set(m.sourceId, m);
    }
    const outlets = [...first.values()].map((m): StoryHeadline => {
      const source = bySource.get(m.sourceId);
      return {
        id: m.id,
        title: convertScript(m.title, script),
        url: m.url,
        source: source?.name ?? m.sourceId,
        sourceId: m.sourceId,
        region: source ? regionOf(source) : 'overseas',
        publishedAt: m.publishedAt,
      };
    });
    outlets.sort(
      (x, y) =>
        REGIONS.indexOf(x.region) - REGIONS.indexOf(y.region) ||
        x.publishedAt.getTime() - y.publishedAt.getTime(),
    );
    const names = new Map(sources.map((s) => [s.id, s.name]));
    return { article: this.toHeadline(a, names, script), outlets: outlets.slice(0, MAX_STORY_OUTLETS) };
  }

  /** Make sure articles stored by other processes are visible (at most one journal read a second). */
  async refresh(force = false): Promise<void> {
    await (force ? this.deps.journal.refresh() : this.deps.journal.refreshIfOlder(REFRESH_EVERY_MS));
  }

  /** Ids of the sources a page of articles names: their own and their clusters'. */
  sourcesShown(articles: readonly Article[]): string[] {
    const index = this.deps.journal.index;
    return articles.flatMap((a) => [a.sourceId, ...index.clusterMembers(a.clusterId).map((m) => m.sourceId)]);
  }

  /** Present an article: script conversion and the other sources of its cluster. */
  toHeadline(a: Article, names: ReadonlyMap<string, string>, script: Script): Headline {
    const others = new Set<string>();
    for (const m of this.deps.journal.index.clusterMembers(a.clusterId)) {
      if (m.sourceId !== a.sourceId) others.add(names.get(m.sourceId) ?? m.sourceId);
    }
    return {
      id: a.id,
      title: convertScript(a.title, script),
      originalTitle: a.title,
      url: a.url,
      source: names.get(a.sourceId) ?? a.sourceId,
      sourceId: a.sourceId,
      publishedAt: a.publishedAt,
      summary: convertScript(a.summary, script),
      alsoReportedBy: [...others],
    };
  }

  /**
   * Source id → name: of the sources `needed` names, or of every source when it is left out.
   * Names read are kept for a few seconds; only those not kept are read, by id, so a fetch or a
   * digest that names a few sources never reads them all.
   */
  async sourceNames(needed?: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const now = Date.now();
    if (now - this.names.at >= NAMES_TTL_MS)
      this.names = { at: now, map: new Map(), asked: new Set(), all: false };
    const kept = this.names;
    if (needed === undefined) {
      if (!kept.all) {
        for (const [id, name] of await this.deps.sources.names()) kept.map.set(id, name);
        kept.all = true;
      }
      return kept.map;
    }
    // Ids asked for before and not found (a source removed meanwhile) are not asked again.
    const missing = kept.all ? [] : needed.filter((id) => !kept.map.has(id) && !kept.asked.has(id));
    if (missing.length > 0) {
      for (const id of missing) kept.asked.add(id);
      for (const [id, name] of await this.deps.sources.names(missing)) kept.map.set(id, name);
    }
    return kept.map;
  }
}
