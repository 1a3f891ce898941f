import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryService } from '../src/delivery/delivery-service.ts';
import type { DeliveryJobRef, PlatformSender } from '../src/delivery/platform-sender.ts';
import type { SendGate } from '../src/delivery/send-gate.ts';
import { DeliveryError, describeError } from '../src/errors.ts';
import type { Logger } from '../src/log.ts';
import { redactSecrets } from '../src/log.ts';
import type { DeliverQueues } from './deliver-queue.ts';
import { deliverPayload, deliverQueueName, jobLock } from './queues.ts';

/** Options of {@link startDeliverWorker}. */
export interface DeliverWorkerOptions {
  /** The platform's sender; the worker consumes that platform's queue. */
  sender: PlatformSender;
  connection: Redis;
  prefix: string;
  queues: DeliverQueues;
  service: DeliveryService;
  gate: SendGate;
  /** Observes each part's outcome (metrics): sent, done, rejected, gone, missing, retry, rate_limited. */
  onOutcome?: (platform: string, outcome: string) => void;
  /** JOB_LOCK: how soon a dead worker's deliveries are sent by another. */
  lockMs: number;
  /** Messages per second for the platform overall (BullMQ limiter, shared by all workers). */
  ratePerSecond: number;
  log: Logger;
  /**
   * The chat's gap (the gate's): a delivery's next part waits it out in the delayed set, not
   * asleep in one of the worker's slots (a broadcast of two-part digests would fill them all).
   */
  partGapMs?: number;
  /** Runs each job as bulk work (the process's heap policy, src/heap-growth.ts). */
  bulkWork?: <T>(work: () => Promise<T>, lingerMs?: number) => Promise<T>;
}

/** Waits this short are slept in the job; longer ones move the job to the delayed set. */
const SLEEP_MAX_MS = 1500;
/** How long after its last send a worker keeps V8's own heap policy: a broadcast keeps it throughout. */
const SEND_LINGER_MS = 5000;

/**
 * The deliver worker of one platform: thin — validate, let the delivery service send one part,
 * then map the outcome to BullMQ: `rate_limited` → `queue.rateLimit` + `RateLimitError` (retried
 * without spending an attempt), `retry` → thrown (backoff); `rejected` and `chat_gone` are settled
 * by the delivery service and end the job. The next part is enqueued only after this one is
 * recorded, so parts stay in order.
 */
export function startDeliverWorker(o: DeliverWorkerOptions): Worker {
  const platform = o.sender.platform;
  const queue = o.queues.queue(platform);
  const bulk = o.bulkWork ?? ((work) => work());
  const send = async (job: Job, token?: string) => {
    const payload = deliverPayload.parse(job.data);
    // Fresh only on its first start: a retried, stalled, delayed or rate-limited job may have
    // sent something already, and reads its progress.
    const { fresh, carried, ...rest } = payload;
    const first = fresh === true && job.attemptsStarted <= 1;
    const ref: DeliveryJobRef = !first
      ? rest
      : carried
        ? { ...rest, fresh: true, carried }
        : { ...rest, fresh: true };
    for (let round = 0; ; round++) {
      let outcome: Awaited<ReturnType<DeliveryService['processPart']>>;
      try {
        outcome = await o.service.processPart(ref, o.sender, o.gate);
        if (outcome.status !== 'wait') o.onOutcome?.(platform, outcome.status);
      } catch (err) {
        o.onOutcome?.(platform, err instanceof DeliveryError ? err.kind : 'retry');
        if (err instanceof DeliveryError && err.kind === 'rate_limited' && err.retryAfterMs !== undefined) {
          await queue.rateLimit(err.retryAfterMs);
          throw Worker.RateLimitError();
        }
        throw err;
      }
      if (outcome.status === 'sent') {
        if (outcome.next) await o.queues.enqueue(outcome.next, { delayMs: o.partGapMs ?? 0 });
        return outcome.status;
      }
      if (outcome.status !== 'wait') return outcome.status;
      if (outcome.ms <= SLEEP_MAX_MS && round < 3) {
        await new Promise((r) => setTimeout(r, outcome.ms));
        continue;
      }
      await job.moveToDelayed(Date.now() + outcome.ms, token);
      throw new DelayedError();
    }
  };
  // Bounded heap growth cost a paid broadcast about a fifth of its rate (decision 0019).
  const processor = (job: Job, token?: string) => bulk(() => send(job, token), SEND_LINGER_MS);
  const worker = new Worker(deliverQueueName(platform), processor, {
    connection: o.connection,
    prefix: o.prefix,
    concurrency: Math.min(200, Math.max(8, Math.ceil(o.ratePerSecond / 5))),
    // A coarse cap only: the exact global rate is the GCRA slot in the chat gate.
    limiter: { max: Math.ceil(o.ratePerSecond * 1.2), duration: 1000 },
    ...jobLock(o.lockMs),
  });
  worker.on('failed', (job, err) => {
    o.log.warn({ job: job?.id, err: redactSecrets(describeError(err)) }, 'delivery failed');
  });
  worker.on('error', (err) => o.log.warn({ err: redactSecrets(describeError(err)) }, 'deliver worker error'));
  return worker;
}
