/**
 * A core on its own FerretDB database and BullMQ prefix, for one integration test file.
 * `cleanup()` drops the database, deletes the prefix's Redis keys and closes everything.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { type Core, createCore } from '../../src/core.ts';
import { createLogger } from '../../src/log.ts';

export interface TestCore {
  core: Core;
  config: Config;
  /** Environment for another process (CLI) or another core on the same database and prefix. */
  env: Record<string, string>;
  /** Another core on the same database (another process's view); closed by `cleanup`. */
  second(): Promise<Core>;
  cleanup(): Promise<void>;
}

/** Build a config and a core on a fresh database `test_<random>` and prefix `test-<random>`. */
export async function createTestCore(overrides: Record<string, string> = {}): Promise<TestCore> {
  const id = randomBytes(6).toString('hex');
  const env: Record<string, string> = {
    MONGODB_URI: `mongodb://127.0.0.1:27017/test_${id}`,
    QUEUE_PREFIX: `test-${id}`,
    ALLOW_PRIVATE_NETWORK_FEEDS: 'true',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  const config = loadConfig(env);
  const core = await createCore(config, createLogger('silent'));
  const extra: Core[] = [];
  return {
    core,
    config,
    env,
    async second() {
      const c = await createCore(config, createLogger('silent'));
      extra.push(c);
      return c;
    },
    async cleanup() {
      for (const c of extra) await c.close().catch(() => {});
      await core.db.drop().catch(() => {});
      await core.close();
      await deleteQueueKeys(config.REDIS_URL, config.QUEUE_PREFIX);
    },
  };
}

/** Delete every Redis key under a BullMQ prefix. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
