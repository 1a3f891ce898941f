/**
 * The core alone (no queues, no adapters) on an isolated environment, for integration tests of
 * ingest, search and sources; with its stores, for assertions beneath the core.
 */
import type { Config } from '../../src/config/config.ts';
import { type Core, type CoreInternals, type CorePorts, createCoreInternals } from '../../src/core.ts';
import type { DeliveryJobRef, DeliveryQueuePort } from '../../src/delivery/platform-sender.ts';
import { createLogger } from '../../src/log.ts';
import { testEnv } from './test-env.ts';

export interface TestCore extends CoreInternals {
  config: Config;
  /** Environment for another process (CLI) or another core on the same database and prefix. */
  env: Record<string, string>;
  /** Another core on the same database (another process's view); closed by `cleanup`. */
  second(): Promise<CoreInternals>;
  cleanup(): Promise<void>;
}

/** Build a core on a fresh database and prefix. */
export async function createTestCore(
  overrides: Record<string, string> = {},
  ports: CorePorts = {},
): Promise<TestCore> {
  const t = testEnv(overrides);
  const internals = await createCoreInternals(t.config, createLogger('silent'), ports);
  const extra: Core[] = [];
  return {
    ...internals,
    config: t.config,
    env: t.env,
    async second() {
      const other = await createCoreInternals(t.config, createLogger('silent'));
      extra.push(other.core);
      return other;
    },
    async cleanup() {
      for (const c of extra) await c.close().catch(() => {});
      await internals.core.close();
      await t.drop();
    },
  };
}

/** A delivery queue that records the jobs it is given in `into` (nothing is sent). */
export function recordingQueue(into: DeliveryJobRef[]): DeliveryQueuePort {
  return {
    enqueue: async (ref) => void into.push(ref),
    enqueueMany: async (refs) => void into.push(...refs),
  };
}
