/**
 * The queue dashboard (bull-board) over the queues it is given. Access control is the caller's
 * (src/http/dashboard-guard.ts); this file only mounts the UI and its API.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

/** What {@link mountQueueDashboard} shows, where, and whether it allows actions. */
export interface QueueDashboardOptions {
  /** Every queue to show. */
  queues: readonly Queue[];
  /** URL prefix, e.g. `/dashboard`. */
  basePath: string;
  /** Show queues and jobs but refuse every action (retry, pause, clean, add…) with 405. */
  readOnly: boolean;
}

/** Register bull-board on `app` under `basePath`. */
export async function mountQueueDashboard(app: FastifyInstance, o: QueueDashboardOptions): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(o.basePath);
  createBullBoard({
    queues: o.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: o.readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'newsrelay' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: o.basePath });
}
