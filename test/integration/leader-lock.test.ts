import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { holdLeadership } from '../../jobs/leader-lock.ts';
import { waitFor } from '../fakes/wait-for.ts';

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const key = `test-${randomUUID()}:leader`;

afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

describe('holdLeadership', () => {
  it('lets one process lead at a time and hands over when the leader releases', async () => {
    const events: string[] = [];
    const a = holdLeadership(
      redis,
      key,
      { onLead: async () => void events.push('a'), onLose: async () => {} },
      600,
    );
    await waitFor(() => events.includes('a'));
    const b = holdLeadership(
      redis,
      key,
      { onLead: async () => void events.push('b'), onLose: async () => {} },
      600,
    );
    await new Promise((r) => setTimeout(r, 900));
    expect(events).toEqual(['a']);
    await a.release();
    await waitFor(() => events.includes('b'), 3000);
    expect(events).toEqual(['a', 'b']);
    await b.release();
    expect(await redis.get(key)).toBeNull();
  });

  it('a leader whose key was taken over is told it lost', async () => {
    let lost = false;
    const a = holdLeadership(
      redis,
      key,
      {
        onLead: async () => {},
        onLose: async () => {
          lost = true;
        },
      },
      600,
    );
    await waitFor(async () => (await redis.get(key)) !== null);
    await redis.set(key, 'someone-else', 'PX', 5000);
    await waitFor(() => lost, 3000);
    await a.release();
    expect(await redis.get(key)).toBe('someone-else');
  });
});
