import type { Core } from '../core.ts';
import type { Source } from '../domain/types.ts';
import type { FetchOutcome } from '../ingest/ingest-service.ts';

/** Totals of an ingest run, as `newsrelay ingest --json` prints them. */
export interface IngestSummary {
  sources: number;
  fetched: number;
  new: number;
  duplicates: number;
  failed: number;
  outcomes: FetchOutcome[];
}

/** Fetch the given sources now (bounded concurrency), reporting progress after each. */
export async function ingestSources(
  core: Core,
  sources: readonly Pick<Source, 'id'>[],
  opts: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<IngestSummary> {
  const outcomes: FetchOutcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const s = sources[next++]!;
      outcomes.push(await core.ingest.fetchById(s.id));
      opts.onProgress?.(outcomes.length, sources.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, sources.length) }, worker));
  return {
    sources: sources.length,
    fetched: outcomes.reduce((n, o) => n + o.fetched, 0),
    new: outcomes.reduce((n, o) => n + o.new, 0),
    duplicates: outcomes.reduce((n, o) => n + o.duplicates, 0),
    failed: outcomes.filter((o) => o.status === 'failed').length,
    outcomes,
  };
}
