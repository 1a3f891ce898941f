/**
 * The one harness for tests of the running service: `startService` (the composition root, wired
 * exactly as `newsrelay serve` wires it) on an isolated database and prefix. It can be stopped and
 * started again on the same data (restarts), and Redis can be wiped between the two.
 */
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { Core } from '../../src/core.ts';
import { type Role, type Service, startService } from '../../src/main.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { testEnv } from './test-env.ts';

export interface TestService {
  config: Config;
  env: Record<string, string>;
  /** The running service (replaced by `start`). */
  service: Service;
  /** The running service's core. */
  readonly core: Core;
  /** Stop the service (the data stays). */
  stop(): Promise<void>;
  /** Start it again on the same database and prefix, with `extra` variables on top. */
  start(extra?: Record<string, string>): Promise<void>;
  /** Delete the prefix's Redis keys. */
  wipeRedis(): Promise<void>;
  /** Stop, delete the Redis keys and drop the database. */
  cleanup(): Promise<void>;
}

/** Start the service with `env` over test defaults (silent logs, English, private feeds allowed). */
export async function startTestService(
  env: Record<string, string> = {},
  role: Role = 'all',
): Promise<TestService> {
  const t = testEnv({ DEFAULT_LOCALE: 'en', ...env });
  let running: Service | null = await startService(t.config, role);
  const h: TestService = {
    config: t.config,
    env: t.env,
    service: running,
    get core() {
      return h.service.core;
    },
    async stop() {
      await running?.stop();
      running = null;
    },
    async start(extra = {}) {
      running = await startService(loadConfig({ ...t.env, ...extra }), role);
      h.service = running;
      // Adapters start once their process holds the bot locks: wait, as a restarted bot is not
      // answering before that.
      const service = running;
      if (role === 'all' || role === 'bot')
        await waitFor(
          () =>
            (!service.telegram || service.telegram.running) && (!service.discord || service.discord.running),
          20_000,
          { message: 'the restarted service did not start its adapters' },
        );
    },
    wipeRedis: t.wipeRedis,
    async cleanup() {
      await h.stop();
      await t.drop();
    },
  };
  return h;
}
