import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The process's Prometheus registry and newsrelay's own metrics. */
export function createMetrics(opts: { queueDepths?: () => Promise<Record<string, number>> } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'newsrelay_' });
  return {
    registry,
    fetches: new Counter({
      name: 'newsrelay_fetches_total',
      help: 'Source fetches by outcome',
      labelNames: ['status'],
      registers: [registry],
    }),
    articlesStored: new Counter({
      name: 'newsrelay_articles_stored_total',
      help: 'New articles stored',
      registers: [registry],
    }),
    indexedArticles: new Gauge({
      name: 'newsrelay_indexed_articles',
      help: "Articles in this process's search index",
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'newsrelay_deliveries_total',
      help: 'Delivery parts processed, by platform and outcome (sent, rejected, gone, retry, rate_limited, …)',
      labelNames: ['platform', 'outcome'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'newsrelay_rate_limited_total',
      help: 'Sends the platform answered with 429 (retry_after), by platform',
      labelNames: ['platform'],
      registers: [registry],
    }),
    interactionSeconds: new Histogram({
      name: 'newsrelay_interaction_seconds',
      help: 'Time from a user command arriving to its answer being sent, by platform',
      labelNames: ['platform'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'newsrelay_queue_jobs',
      help: 'Jobs waiting, delayed or active per queue (read when scraped)',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        if (!opts.queueDepths) return;
        const depths = await opts.queueDepths().catch(() => ({}) as Record<string, number>);
        for (const [queue, n] of Object.entries(depths)) this.set({ queue }, n);
      },
    }),
  };
}

/** Metrics handles shared by the composition root. */
export type Metrics = ReturnType<typeof createMetrics>;
