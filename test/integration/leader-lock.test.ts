/**
 * The Redis leader lock follows the task's real state: one process runs it at a time, a failed
 * start or a task that stops on its own releases the lock and is retried with backoff, and a
 * standby takes over when the holder dies. Before, a failed start (a failed getMe) kept the lock
 * held and renewed forever while nothing ran.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type LeaderTask, superviseLeadership } from '../../jobs/leader-lock.ts';
import { waitFor } from '../fakes/wait-for.ts';

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = `test-${randomUUID()}`;
let n = 0;
const keyOf = () => `${prefix}:leader:${++n}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** A task that records its starts and can be made to fail or to stop on its own. */
function task(name: string, events: string[], opts: { failStarts?: number } = {}) {
  let failures = opts.failStarts ?? 0;
  const t: LeaderTask & { running: boolean } = {
    running: false,
    async start() {
      if (failures > 0) {
        failures--;
        events.push(`${name}:start-failed`);
        throw new Error('getMe failed');
      }
      t.running = true;
      events.push(`${name}:start`);
    },
    async stop() {
      if (t.running) events.push(`${name}:stop`);
      t.running = false;
    },
  };
  return t;
}

describe('superviseLeadership', () => {
  it('lets one process lead at a time and hands over when the leader releases', async () => {
    const key = keyOf();
    const events: string[] = [];
    const a = superviseLeadership(redis, key, task('a', events), { ttlMs: 600 });
    await waitFor(() => events.includes('a:start'));
    const b = superviseLeadership(redis, key, task('b', events), { ttlMs: 600 });
    await new Promise((r) => setTimeout(r, 900));
    expect(events).toEqual(['a:start']);
    expect(await a.ready()).toBe(true);
    expect(await b.ready()).toBe(true); // a standby while another process serves
    await a.release();
    await waitFor(() => events.includes('b:start'), 3000);
    expect(events).toEqual(['a:start', 'a:stop', 'b:start']);
    await b.release();
    expect(await redis.get(key)).toBeNull();
  });

  it('a failed start releases the lock, reports not ready, and recovers by itself', async () => {
    const key = keyOf();
    const events: string[] = [];
    const failures: string[] = [];
    const l = superviseLeadership(redis, key, task('a', events, { failStarts: 2 }), {
      ttlMs: 300,
      backoffMs: 100,
      onFailure: (what) => failures.push(what),
    });
    await waitFor(() => events.includes('a:start-failed'));
    // Released at once: another process could take over, and this one is not ready.
    expect(await redis.get(key)).toBeNull();
    expect(await l.ready()).toBe(false);
    await waitFor(() => events.includes('a:start'), 5000);
    expect(events).toEqual(['a:start-failed', 'a:start-failed', 'a:start']);
    expect(failures).toEqual(['start_failed', 'start_failed']);
    expect(await l.ready()).toBe(true);
    await l.release();
  });

  it('a task that stops on its own (polling ended with 409) gives the lock up to a standby', async () => {
    const key = keyOf();
    const events: string[] = [];
    const ta = task('a', events);
    const a = superviseLeadership(redis, key, ta, { ttlMs: 600, backoffMs: 5000 });
    await waitFor(() => events.includes('a:start'));
    const b = superviseLeadership(redis, key, task('b', events), { ttlMs: 600 });
    ta.running = false; // polling stopped
    await waitFor(() => events.includes('b:start'), 3000);
    expect(await a.ready()).toBe(false);
    expect(await b.ready()).toBe(true);
    await a.release();
    await b.release();
  });

  it('a leader whose key was taken over stops its task', async () => {
    const key = keyOf();
    const events: string[] = [];
    const a = superviseLeadership(redis, key, task('a', events), { ttlMs: 600 });
    await waitFor(() => events.includes('a:start'));
    await redis.set(key, 'someone-else', 'PX', 5000);
    await waitFor(() => events.includes('a:stop'), 3000);
    await a.release();
    expect(await redis.get(key)).toBe('someone-else');
  });
});
