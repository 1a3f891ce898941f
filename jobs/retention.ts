import type { Core } from '../src/core.ts';

/**
 * Delete articles older than ARTICLE_RETENTION (a job, since FerretDB has no TTL index), then
 * compact the search journal without them.
 */
export async function runRetention(
  core: Core,
  now = Date.now(),
): Promise<{ deleted: number; deliveries: number; segments: number }> {
  const cutoff = new Date(now - core.config.ARTICLE_RETENTION);
  const ids = await core.articles.deleteFetchedBefore(cutoff);
  core.journal.index.remove(ids);
  // Delivery records (and their part markers) only matter while a digest can still be retried.
  const deliveries = await core.db.models.Delivery.collection.deleteMany({ createdAt: { $lt: cutoff } });
  const segments = await core.journal.compact();
  core.log.info({ deleted: ids.length, deliveries: deliveries.deletedCount, segments }, 'retention');
  return { deleted: ids.length, deliveries: deliveries.deletedCount, segments };
}
