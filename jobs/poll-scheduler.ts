import type { Queue } from 'bullmq';
import type { Source } from '../src/domain/types.ts';
import type { SourceService } from '../src/sources/source-service.ts';
import { type FetchPayload, jobIdFor } from './queues.ts';

/** The slot a source's poll belongs to: its interval since the epoch. */
export function pollSlot(source: Pick<Source, 'intervalSec'>, now: number): number {
  return Math.floor(now / (source.intervalSec * 1000));
}

/**
 * Enqueue one fetch job per due source, a batch at a time as the database reads them (the tick
 * never holds every source). The job id is derived from source and slot, so a tick that runs
 * twice, or a slow cycle, never doubles a fetch; sources in failure backoff or with a feed TTL
 * wait until their `nextFetchAt`; disabled sources are skipped.
 */
export async function enqueueDueSources(
  sources: Pick<SourceService, 'due'>,
  fetchQueue: Queue<FetchPayload>,
  now = Date.now(),
): Promise<{ due: number; enqueued: number }> {
  let due = 0;
  for await (const batch of sources.due(now)) {
    due += batch.length;
    await fetchQueue.addBulk(
      batch.map((s) => {
        const slot = pollSlot(s, now);
        return {
          name: 'fetch',
          data: { sourceId: s.id, slot },
          opts: {
            jobId: jobIdFor('fetch', s.id, slot),
            // Completed ids are kept one interval, which is what makes the id a per-slot lock.
            removeOnComplete: { age: s.intervalSec },
            removeOnFail: { age: s.intervalSec },
            attempts: 1,
          },
        };
      }),
    );
  }
  return { due, enqueued: due };
}
