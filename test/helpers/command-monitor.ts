/**
 * Counting the commands a core sends to the database, with the driver's command monitoring on
 * the real server: how tests hold a path to a number of reads or writes.
 */
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import type { CoreInternals, CorePorts } from '../../src/core.ts';
import { createTestCore, type TestCore } from './test-core.ts';
import { type TestEnv, testEnv } from './test-env.ts';

/**
 * A fresh test environment whose database client reports every command it sends: monitoring is
 * fixed when the client connects, so it is asked for in the URI the core connects with.
 */
export function monitoredTestEnv(): TestEnv {
  const base = testEnv();
  return testEnv({ MONGODB_URI: `${base.config.MONGODB_URI}?monitorCommands=true` });
}

/** A test core (on a fresh database and prefix) whose database client reports every command. */
export function createMonitoredCore(ports: CorePorts = {}): Promise<TestCore> {
  return createTestCore({ MONGODB_URI: monitoredTestEnv().env.MONGODB_URI! }, ports);
}

/** Commands the core's database client starts while `fn` runs, in order. */
export async function commandsDuring(
  x: Pick<CoreInternals, 'db'>,
  fn: () => Promise<void>,
): Promise<CommandStartedEvent[]> {
  const client = x.db.models.Delivery.db.getClient() as unknown as MongoClient;
  const seen: CommandStartedEvent[] = [];
  const listener = (e: CommandStartedEvent) => seen.push(e);
  client.on('commandStarted', listener);
  try {
    await fn();
  } finally {
    client.off('commandStarted', listener);
  }
  return seen;
}
