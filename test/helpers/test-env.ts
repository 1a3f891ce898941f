/**
 * An isolated environment for one test file: its own database on the shared MongoDB-compatible
 * server and its own BullMQ prefix on the shared Redis. Every harness starts from here.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { type Config, loadConfig } from '../../src/config/config.ts';

/** Environment and config of an isolated test environment. */
export interface TestEnv {
  env: Record<string, string>;
  config: Config;
  /** Drop the database and delete every Redis key under the prefix. */
  drop(): Promise<void>;
  /** Delete every Redis key under the prefix (a Redis wipe, as far as this environment sees). */
  wipeRedis(): Promise<void>;
}

/** A fresh database `test_<random>` and prefix `test-<random>`, with test defaults under `overrides`. */
export function testEnv(overrides: Record<string, string> = {}): TestEnv {
  const id = randomBytes(6).toString('hex');
  const env: Record<string, string> = {
    MONGODB_URI: `mongodb://127.0.0.1:27017/test_${id}`,
    QUEUE_PREFIX: `test-${id}`,
    HTTP_PORT: '0',
    ALLOW_PRIVATE_NETWORK_FEEDS: 'true',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  const config = loadConfig(env);
  const wipeRedis = () => deleteQueueKeys(config.REDIS_URL, config.QUEUE_PREFIX);
  return {
    env,
    config,
    wipeRedis,
    async drop() {
      await wipeRedis();
      const conn = await mongoose.createConnection(config.MONGODB_URI).asPromise();
      await conn.dropDatabase();
      await conn.close();
    },
  };
}

/** Delete every Redis key under a BullMQ prefix. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    // Collected first, deleted in one command: a wipe is all at once, as Redis losing its data
    // is. Deleted batch by batch, a reconciler running meanwhile rebuilt schedules that later
    // batches deleted again, under a marker that said they were there.
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const k of found) keys.add(k);
    } while (cursor !== '0');
    if (keys.size > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
