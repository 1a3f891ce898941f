import type { DeliveryService } from '../delivery/delivery-service.ts';
import type { Logger } from '../log.ts';
import type { ArticleStore } from '../store/article-store.ts';
import type { SearchJournal } from '../store/search-journal.ts';

/** What one retention run removed. */
export interface RetentionReport {
  deleted: number;
  deliveries: number;
  segments: number;
}

/**
 * Keeping the archive bounded: old articles and delivery records are deleted by a job (FerretDB
 * has no TTL index), and the search journal is compacted into segments.
 */
export class RetentionService {
  constructor(
    private readonly deps: {
      articles: ArticleStore;
      journal: SearchJournal;
      deliveries: DeliveryService;
      retentionMs: number;
      log: Logger;
    },
  ) {}

  /** Delete articles and deliveries older than the retention period, then compact the journal. */
  async run(now = Date.now()): Promise<RetentionReport> {
    const cutoff = new Date(now - this.deps.retentionMs);
    const ids = await this.deps.articles.deleteFetchedBefore(cutoff);
    this.deps.journal.forget(ids);
    // Delivery records (and their part markers) only matter while a digest can still be retried.
    const deliveries = await this.deps.deliveries.deleteCreatedBefore(cutoff);
    const segments = await this.deps.journal.compact();
    this.deps.log.info({ deleted: ids.length, deliveries, segments }, 'retention');
    return { deleted: ids.length, deliveries, segments };
  }

  /** Fold journal batches into segments (cheaper cold starts); how many segments were written. */
  compact(): Promise<number> {
    return this.deps.journal.compact();
  }
}
