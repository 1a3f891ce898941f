import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The process's Prometheus registry and newsrelay's own metrics. */
export function createMetrics() {
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
  };
}

/** Metrics handles shared by the composition root. */
export type Metrics = ReturnType<typeof createMetrics>;
