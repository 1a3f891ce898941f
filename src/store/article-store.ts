import type { Article } from '../domain/types.ts';
import { insertManyNew } from './insert-batcher.ts';
import type { Models } from './models.ts';

/** An article as stored: the domain object with its id as `_id`. */
type ArticleDoc = Omit<Article, 'id'> & { _id: string };

function toArticle({ _id, ...d }: ArticleDoc): Article {
  return {
    ...d,
    id: _id,
    guid: d.guid ?? null,
    summary: d.summary ?? '',
    author: d.author ?? null,
    terms: d.terms ?? [],
    imageUrl: d.imageUrl ?? null,
  };
}

function toDoc({ id, ...a }: Article): ArticleDoc {
  return { _id: id, ...a };
}

/** Articles, stored once per canonical URL (the `_id` is a hash of it). */
export class ArticleStore {
  /**
   * Articles never change once stored, so reads are cached (least recently used first out):
   * thousands of chats' digests read the same few thousand articles. A cached article past the
   * retention age is read again, so deletions by another process's retention show here too.
   */
  private readonly cache = new Map<string, Article>();

  constructor(
    private readonly models: Models,
    private readonly opts: { retentionMs?: number; cacheSize?: number } = {},
  ) {}

  /**
   * Insert articles whose id is not stored yet; returns the ids that were new. Two sources
   * (or two workers) racing on the same URL are settled by the unique `_id`.
   */
  async insertNew(articles: readonly Article[]): Promise<Set<string>> {
    const stored = await insertManyNew(this.models.Article.collection as never, articles.map(toDoc));
    return new Set([...stored].map((i) => articles[i]!.id));
  }

  async get(id: string): Promise<Article | null> {
    return this.cached(id, this.oldestKept()) ?? (await this.read(id));
  }

  /**
   * Articles by id, in the given order; ids no longer stored are left out. Cached articles are
   * taken without a promise each: a digest group reads tens of cached articles per chat.
   */
  async getMany(ids: readonly string[]): Promise<Article[]> {
    const oldest = this.oldestKept();
    const found = ids.map((id) => this.cached(id, oldest));
    const missing = found.flatMap((a, i) => (a ? [] : [i]));
    if (missing.length > 0) {
      const read = await Promise.all(missing.map((i) => this.read(ids[i]!)));
      missing.forEach((at, k) => {
        found[at] = read[k] ?? null;
      });
    }
    return found.filter((a): a is Article => a !== null);
  }

  /** Fetch time (epoch ms) of the oldest article a cached copy is still good for. */
  private oldestKept(): number {
    const retention = this.opts.retentionMs;
    return retention === undefined ? Number.NEGATIVE_INFINITY : Date.now() - retention;
  }

  /** The cached article, made the most recent; null when not cached or fetched before `oldest`. */
  private cached(id: string, oldest: number): Article | null {
    const hit = this.cache.get(id);
    if (!hit || hit.fetchedAt.getTime() < oldest) return null;
    this.cache.delete(id);
    this.cache.set(id, hit);
    return hit;
  }

  private async read(id: string): Promise<Article | null> {
    const d = await this.models.Article.collection.findOne({ _id: id as never });
    this.cache.delete(id);
    if (!d) return null;
    const a = toArticle(d as unknown as ArticleDoc);
    this.cache.set(id, a);
    if (this.cache.size > (this.opts.cacheSize ?? 20_000)) this.cache.delete(this.cache.keys().next().value!);
    return a;
  }

  /** Which of these ids are stored already (one `_id` look-up each). */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    const found = await Promise.all(
      ids.map((id) =>
        this.models.Article.collection.findOne({ _id: id as never }, { projection: { _id: 1 } }),
      ),
    );
    return new Set(found.filter(Boolean).map((d) => String((d as { _id: unknown })._id)));
  }

  /** Delete articles stored before `cutoff`; returns the deleted ids. */
  async deleteFetchedBefore(cutoff: Date): Promise<string[]> {
    const old = await this.models.Article.collection
      .find({ fetchedAt: { $lt: cutoff } }, { projection: { _id: 1 } })
      .toArray();
    const ids = old.map((d) => String(d._id));
    for (const id of ids) this.cache.delete(id);
    if (ids.length > 0) await this.models.Article.collection.deleteMany({ fetchedAt: { $lt: cutoff } });
    return ids;
  }

  /** Every article's index data, for rebuilding a lost journal. */
  async *scanIndexData(): AsyncGenerator<ArticleDoc> {
    const cursor = this.models.Article.collection.find({}, { projection: { summary: 0 } });
    for await (const d of cursor) yield d as unknown as ArticleDoc;
  }

  /** Reference query for benchmarks: a case-insensitive `$regex` scan on titles, newest first. */
  async regexSearch(pattern: string, limit: number): Promise<Article[]> {
    const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const docs = await this.models.Article.collection
      .find({ title: { $regex: escaped, $options: 'i' } })
      .sort({ publishedAt: -1 })
      .limit(limit)
      .toArray();
    return (docs as unknown as ArticleDoc[]).map(toArticle);
  }

  async count(): Promise<number> {
    return this.models.Article.collection.countDocuments();
  }
}
