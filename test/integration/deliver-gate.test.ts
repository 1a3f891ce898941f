import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createChatGate } from '../../jobs/deliver-chat-gate.ts';
import { SEND_LATE_MS, type SendSlot } from '../../src/delivery/send-gate.ts';
import type { Chat } from '../../src/domain/types.ts';

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = `test-${randomUUID()}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const chat = (id: string, type: Chat['type'] = 'private') =>
  ({ key: `telegram:${id}`, platform: 'telegram', type }) as Chat;

describe('delivery gate', () => {
  // The deliver runtime gives the gate a connection that pipelines the calls of one loop turn.
  it.each([
    ['its own', false],
    ['a pipelining', true],
  ])(
    'spaces sends to the global rate across chats by reserving the next free slots (%s connection)',
    async (_, pipelining) => {
      const connection = pipelining ? redis.duplicate({ enableAutoPipelining: true }) : redis;
      const gate = createChatGate(connection, {
        prefix: `${prefix}-${pipelining}`,
        globalPerSecond: { telegram: 20 },
      });
      const t0 = Date.now();
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => gate(chat(`g${i}`))));
      const spread = Date.now() - t0;
      // One send goes now, the next get the following slots 1/(20 × 0.95) s = 52.6 ms apart on
      // Redis's clock, as far as a second ahead; the rest are told to ask again later, with nothing
      // reserved for them.
      const slots = answers.filter((a): a is SendSlot => typeof a !== 'number');
      const at = slots.map((s) => s.at).sort((a, b) => a - b);
      expect(at.length).toBeGreaterThanOrEqual(19);
      expect(at.length).toBeLessThanOrEqual(20);
      // Redis runs on this machine: its clock is the one Date.now() reads.
      expect(at[0]!).toBeGreaterThanOrEqual(t0 - 1);
      expect(at[0]!).toBeLessThanOrEqual(t0 + spread + 1);
      for (let k = 1; k < at.length; k++) expect(at[k]! - at[k - 1]!).toBeCloseTo(52.632, 2);
      expect(answers.filter((w) => typeof w === 'number' && w > 0)).toHaveLength(30 - at.length);
      // Each slot is placed on this process's clock to within the calls' round trips.
      for (const s of slots) {
        expect(s.to).toBeGreaterThanOrEqual(s.from);
        expect(s.to - s.from).toBeLessThanOrEqual(spread + 1);
      }
      if (connection !== redis) await connection.quit();
    },
  );

  it('reads Redis’s clock alone before a burst, so slots read late are still placed within the budget', async () => {
    const connection = redis.duplicate({ enableAutoPipelining: true });
    await createChatGate(connection, { prefix: `${prefix}-warm` })(chat('warm'));
    let timeCalls = 0;
    const time = connection.time.bind(connection);
    connection.time = (() => {
      timeCalls++;
      return time();
    }) as typeof connection.time;
    const gate = createChatGate(connection, {
      prefix: `${prefix}-burst`,
      globalPerSecond: { telegram: 1000 },
    });
    // A worker starting on a backlog: 200 jobs ask at once, and its loop is busy for 40 ms right
    // after the first commands are written (this immediate runs after the pipeline's).
    const answers = Promise.all(Array.from({ length: 200 }, (_, i) => gate(chat(`burst${i}`))));
    setImmediate(() => {
      const end = performance.now() + 40;
      while (performance.now() < end);
    });
    const slots = (await answers).filter((a): a is SendSlot => typeof a !== 'number');
    expect(slots).toHaveLength(200);
    // Read together after the busy spell, the burst's own answers place a slot only to within
    // 40 ms: every slot would be given up as late.
    for (const s of slots) expect(s.to - s.from).toBeLessThanOrEqual(SEND_LATE_MS);
    expect(timeCalls).toBeGreaterThanOrEqual(1);
    expect(timeCalls).toBeLessThanOrEqual(3);
    // While calls keep coming, their answers keep the clock known: no more reading it alone.
    const before = timeCalls;
    for (let i = 0; i < 10; i++) await gate(chat(`after${i}`));
    expect(timeCalls).toBe(before);
    await connection.quit();
  });

  it('keeps one message per second per chat and 20 a minute per group, without spending the global slot', async () => {
    const gate = createChatGate(redis, { prefix: `${prefix}-b`, gapMs: 1000, groupPerMinute: 2 });
    expect(await gate(chat('p1'))).toBe(0);
    const wait = await gate(chat('p1'));
    expect(wait).toBeGreaterThan(900);
    const group = createChatGate(redis, { prefix: `${prefix}-c`, gapMs: 1, groupPerMinute: 2 });
    expect(await group(chat('grp', 'group'))).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(await group(chat('grp', 'group'))).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(await group(chat('grp', 'group'))).toBeGreaterThan(50_000);
  });
});

describe('delivery gate on the wire', () => {
  it('sends its script by hash: the Lua text is not sent with every message', async () => {
    const watcher = await redis.duplicate().monitor();
    const commands: string[] = [];
    watcher.on('monitor', (_time: string, args: string[]) => {
      if (String(args[3] ?? '').startsWith(`${prefix}-w:`)) commands.push(String(args[0]).toLowerCase());
    });
    const gate = createChatGate(redis, { prefix: `${prefix}-w`, gapMs: 1 });
    for (let i = 0; i < 20; i++) expect(await gate(chat(`w${i}`))).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    watcher.disconnect();
    // The first call may find the script not loaded yet: one EVALSHA refused, then one EVAL.
    expect(commands.filter((c) => c === 'evalsha').length).toBeGreaterThanOrEqual(19);
    expect(commands.filter((c) => c === 'eval').length).toBeLessThanOrEqual(1);
  });
});
