/**
 * The whole service (`startService`, the composition root) on its own FerretDB database and
 * BullMQ prefix, for one e2e test file. `cleanup()` stops it, deletes the prefix's Redis keys
 * and drops the database.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { loadConfig } from '../../src/config/config.ts';
import { type Role, type Service, startService } from '../../src/main.ts';

export interface TestService {
  service: Service;
  cleanup(): Promise<void>;
}

/** Start the service with `env` over test defaults (silent logs, English, private feeds allowed). */
export async function startTestService(
  env: Record<string, string>,
  role: Role = 'all',
): Promise<TestService> {
  const id = randomBytes(6).toString('hex');
  const uri = `mongodb://127.0.0.1:27017/test_service_${id}`;
  const prefix = `test-${id}`;
  const service = await startService(
    loadConfig({
      MONGODB_URI: uri,
      QUEUE_PREFIX: prefix,
      HTTP_PORT: '0',
      ALLOW_PRIVATE_NETWORK_FEEDS: 'true',
      DEFAULT_LOCALE: 'en',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    role,
  );
  return {
    service,
    async cleanup() {
      await service.stop();
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      const conn = await mongoose.createConnection(uri).asPromise();
      await conn.dropDatabase();
      await conn.close();
    },
  };
}
