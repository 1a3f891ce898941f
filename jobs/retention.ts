import type { Core } from '../src/core.ts';

/** Delete articles older than ARTICLE_RETENTION (a job, since FerretDB has no TTL index). */
export async function runRetention(core: Core, now = Date.now()): Promise<{ deleted: number }> {
  const cutoff = new Date(now - core.config.ARTICLE_RETENTION);
  const ids = await core.articles.deleteFetchedBefore(cutoff);
  core.journal.index.remove(ids);
  core.log.info({ deleted: ids.length }, 'retention');
  return { deleted: ids.length };
}
