import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryJobRef, DeliveryQueuePort } from '../src/delivery/platform-sender.ts';
import type { Platform } from '../src/domain/types.ts';
import { deliverPayload, deliverQueueName } from './queues.ts';

/** BullMQ job ids may not contain `:`; delivery ids do. */
export function deliverJobId(ref: Pick<DeliveryJobRef, 'deliveryId' | 'part'>): string {
  return `d-${Buffer.from(ref.deliveryId).toString('base64url')}-${ref.part}`;
}

/** Job options of deliver jobs: network and 5xx failures back off exponentially. */
export const DELIVER_JOB_OPTS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
} as const;

/** Deliver queues per platform; the {@link DeliveryQueuePort} over them. */
export class DeliverQueues implements DeliveryQueuePort {
  private readonly queues = new Map<Platform, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  queue(platform: Platform): Queue {
    let q = this.queues.get(platform);
    if (!q) {
      q = new Queue(deliverQueueName(platform), { connection: this.connection, prefix: this.prefix });
      this.queues.set(platform, q);
    }
    return q;
  }

  async enqueue(ref: DeliveryJobRef, opts: { delayMs?: number } = {}): Promise<void> {
    await this.enqueueMany([ref], opts);
  }

  async enqueueMany(refs: readonly DeliveryJobRef[], opts: { delayMs?: number } = {}): Promise<void> {
    const byPlatform = new Map<Platform, DeliveryJobRef[]>();
    for (const r of refs) {
      const list = byPlatform.get(r.platform);
      if (list) list.push(r);
      else byPlatform.set(r.platform, [r]);
    }
    for (const [platform, list] of byPlatform) {
      await this.queue(platform).addBulk(
        list.map((ref) => ({
          name: 'deliver',
          data: deliverPayload.parse(ref),
          opts: {
            ...DELIVER_JOB_OPTS,
            jobId: deliverJobId(ref),
            ...(opts.delayMs ? { delay: opts.delayMs } : {}),
          },
        })),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
