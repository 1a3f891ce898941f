/** Configuration, logger and throw-away database / queue names for the benchmarks. */
import { Redis } from 'ioredis';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';

const MONGO_BASE = process.env.BENCH_MONGODB_BASE ?? 'mongodb://127.0.0.1:27017';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique database name `bench_<what>_<timestamp>`. */
export function benchDbName(what: string): string {
  return `bench_${what}_${Date.now()}`;
}

export function benchMongoUri(dbName: string): string {
  return `${MONGO_BASE}/${dbName}`;
}

/** Config for a benchmark: silent logs, the given database, anything else overridden by `extra`. */
export function benchConfig(dbName: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ MONGODB_URI: benchMongoUri(dbName), REDIS_URL, LOG_LEVEL: 'silent', ...extra });
}

export const silentLog = createLogger('silent');

/** Deletes every Redis key under a BullMQ prefix (the benchmark's own, unique prefix). */
export async function deleteQueueKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
