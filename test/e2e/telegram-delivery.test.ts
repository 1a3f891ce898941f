import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schedulerId } from '../../jobs/chat-schedules.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { ask, rss, type Stack, startStack } from './telegram-harness.ts';

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('telegram digest delivery: schedules, 429, 403, restart, Redis wipe', () => {
  let s: Stack;
  let n = 0;
  /** A private chat subscribed to a fresh feed, whose digest time passed two minutes ago. */
  const dueChat = async () => {
    n++;
    const id = 3000 + n;
    const chat = { id, type: 'private' as const };
    const user = { id, language_code: 'en' };
    s.site.route(`/f${n}.xml`, {
      contentType: 'application/rss+xml',
      body: rss(`Feed ${n}`, [{ title: `新聞 ${n} & <更多>`, path: `/n${n}` }], s.site.url),
    });
    await ask(s.fake, chat, user, `/subscribe ${s.site.url}/f${n}.xml`);
    const time = hhmm(Date.now() - 120_000);
    const res = await s.runtime.chats.update(`telegram:${id}`, (c) => {
      c.digestTimes = [time];
      c.createdAt = new Date(Date.now() - 3_600_000);
    });
    await s.runtime.schedules.sync(res!.before, res!.after);
    return { id, key: `telegram:${id}`, time };
  };
  const digestsTo = (id: number) =>
    s.fake.sentMessages(id).filter((m) => m.text?.includes('NewsRelay digest'));

  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a missed slot is caught up through the digest queue and sent once, HTML escaped', async () => {
    const c = await dueChat();
    const chat = await s.runtime.chats.get(c.key);
    expect(await s.runtime.schedules.catchUp(chat!)).toBe(true);
    const [digest] = await waitFor(() => (digestsTo(c.id).length ? digestsTo(c.id) : undefined));
    expect(digest?.text).toContain('新聞 1 & <更多>');
    expect(digest?.parse_mode).toBe('HTML');
    // the same slot again records nothing new
    expect(
      await s.runtime.digests.runScheduled(c.key, (await s.runtime.chats.get(c.key))!.lastDigestSlot!),
    ).toBe('skipped');
    // an empty scheduled digest sends nothing
    expect(await s.runtime.digests.runScheduled(c.key, Date.now())).toBe('empty');
    await new Promise((r) => setTimeout(r, 300));
    expect(digestsTo(c.id)).toHaveLength(1);
  });

  it('429 waits retry_after and retries without losing or doubling', async () => {
    const c = await dueChat();
    s.fake.failNext('sendMessage', { error_code: 429, retry_after: 1 });
    const started = Date.now();
    await s.runtime.schedules.catchUp((await s.runtime.chats.get(c.key))!);
    await waitFor(() => digestsTo(c.id).length === 1, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 500));
    expect(digestsTo(c.id)).toHaveLength(1);
  });

  it('403 deactivates the chat and removes its scheduler', async () => {
    const c = await dueChat();
    const queue = s.runtime.schedules.queue;
    expect(await queue.getJobScheduler(schedulerId(c.key, c.time))).toBeTruthy();
    s.fake.blockChat(c.id);
    await s.runtime.schedules.catchUp((await s.runtime.chats.get(c.key))!);
    const chat = await waitFor(async () => {
      const x = await s.runtime.chats.get(c.key);
      return x && !x.active ? x : undefined;
    }, 10_000);
    expect(chat.deactivatedReason).toContain('blocked');
    expect(await queue.getJobScheduler(schedulerId(c.key, c.time))).toBeFalsy();
  });

  it('network / 5xx failures retry with backoff', async () => {
    const c = await dueChat();
    s.fake.failNext('sendMessage', { error_code: 502 });
    await s.runtime.schedules.catchUp((await s.runtime.chats.get(c.key))!);
    await waitFor(() => digestsTo(c.id).length === 1, 15_000);
  });

  it('a restart catches up a due digest and sends it once; another restart sends nothing twice', async () => {
    const a = await dueChat();
    await s.stopApp();
    await s.startApp();
    await waitFor(() => digestsTo(a.id).length === 1, 10_000);
    await s.stopApp();
    await s.startApp();
    await new Promise((r) => setTimeout(r, 1500));
    expect(digestsTo(a.id)).toHaveLength(1);
  });

  it('a digest recorded before a Redis wipe is delivered once after restart; schedulers come back', async () => {
    const b = await dueChat();
    await s.stopApp();
    // built and recorded by a process without workers, then Redis loses the queued job
    const { createCore } = await import('../../src/core.ts');
    const { createLogger } = await import('../../src/log.ts');
    const { createDeliveryRuntime } = await import('../../jobs/delivery-runtime.ts');
    const { latestSlot } = await import('../../src/digest/digest-slots.ts');
    const core = await createCore(s.config, createLogger('silent'));
    const offline = createDeliveryRuntime({ core, config: s.config });
    const slot = latestSlot([b.time], 'UTC', Date.now())!;
    expect(await offline.digests.runScheduled(b.key, slot)).toBe('queued');
    await offline.stop();
    await core.close();
    await s.wipeRedis();
    await s.startApp();
    await waitFor(() => digestsTo(b.id).length === 1, 10_000);
    expect(await s.runtime.schedules.queue.getJobScheduler(schedulerId(b.key, b.time))).toBeTruthy();
    await s.stopApp();
    await s.startApp();
    await new Promise((r) => setTimeout(r, 1500));
    expect(digestsTo(b.id)).toHaveLength(1);
  });
});
