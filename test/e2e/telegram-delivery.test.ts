import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schedulerId } from '../../jobs/chat-schedules.ts';
import { createDeliveryPorts } from '../../jobs/delivery-runtime.ts';
import { createRedis } from '../../jobs/queues.ts';
import { createCore } from '../../src/core.ts';
import { latestSlot } from '../../src/digest/digest-slots.ts';
import { createLogger } from '../../src/log.ts';
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
    await waitFor(async () => (await s.core.chats.get(`telegram:${id}`))?.subscriptions.length === 1);
    const time = hhmm(Date.now() - 120_000);
    await backdate(`telegram:${id}`);
    await s.core.chats.updateSettings(`telegram:${id}`, { digestTimes: [time] });
    return { id, key: `telegram:${id}`, time };
  };
  /** The chat is in its digest minute's group and that group's scheduler exists. */
  const scheduled = async (c: { key: string; time: string }) => {
    const tz = (await s.core.chats.get(c.key))!.timezone;
    const group = await s.core.chats.digestGroup(c.time, tz);
    const scheduler = await s.ports.schedules.queue.getJobScheduler(schedulerId(tz, c.time));
    return Boolean(scheduler) && group.some((x) => x.key === c.key);
  };
  /** The chat was created an hour ago (so a slot two minutes ago is one it missed). */
  const backdate = async (key: string) => {
    const conn = await mongoose.createConnection(s.app.config.MONGODB_URI).asPromise();
    await conn
      .collection('chats')
      .updateOne({ _id: key as never }, { $set: { createdAt: new Date(Date.now() - 3_600_000) } });
    await conn.close();
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
    const chat = await s.core.chats.get(c.key);
    expect(await s.ports.schedules.catchUp(chat!)).toBe(true);
    const [digest] = await waitFor(() => (digestsTo(c.id).length ? digestsTo(c.id) : undefined));
    expect(digest?.text).toContain('新聞 1 & <更多>');
    expect(digest?.parse_mode).toBe('HTML');
    // the same slot again records nothing new
    expect(await s.core.digests.runScheduled(c.key, (await s.core.chats.get(c.key))!.lastDigestSlot!)).toBe(
      'skipped',
    );
    // an empty scheduled digest sends nothing
    expect(await s.core.digests.runScheduled(c.key, Date.now())).toBe('empty');
    await new Promise((r) => setTimeout(r, 300));
    expect(digestsTo(c.id)).toHaveLength(1);
  });

  it('a scheduled minute builds its whole group in one job: each chat once, a paused one skipped, a retried job sends nothing new', async () => {
    const [a, b, c] = [await dueChat(), await dueChat(), await dueChat()];
    for (const x of [b, c]) await s.core.chats.updateSettings(x.key, { digestTimes: [a.time] });
    await s.core.chats.updateSettings(c.key, { paused: true });
    const timezone = (await s.core.chats.get(a.key))!.timezone;
    const queue = s.ports.schedules.queue;
    await queue.add('digest', { time: a.time, timezone }, { jobId: `group-${a.id}-1` });
    await waitFor(() => digestsTo(a.id).length === 1 && digestsTo(b.id).length === 1, 10_000);
    expect(digestsTo(a.id)[0]?.text).toContain(`新聞 ${a.id - 3000} & <更多>`);
    await queue.add('digest', { time: a.time, timezone }, { jobId: `group-${a.id}-2` });
    await waitFor(async () => (await queue.getJobCounts('waiting', 'active', 'delayed')).active === 0);
    await new Promise((r) => setTimeout(r, 1000));
    expect([digestsTo(a.id).length, digestsTo(b.id).length, digestsTo(c.id).length]).toEqual([1, 1, 0]);
    expect((await s.core.chats.get(c.key))!.lastDigestSlot).not.toBeNull();
  });

  it('429 waits retry_after and retries without losing or doubling', async () => {
    const c = await dueChat();
    s.fake.failNext('sendMessage', { error_code: 429, retry_after: 1 });
    const started = Date.now();
    await s.ports.schedules.catchUp((await s.core.chats.get(c.key))!);
    await waitFor(() => digestsTo(c.id).length === 1, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 500));
    expect(digestsTo(c.id)).toHaveLength(1);
  });

  it('403 deactivates the chat and takes it out of its digest group', async () => {
    const c = await dueChat();
    expect(await scheduled(c)).toBe(true);
    s.fake.blockChat(c.id);
    await s.ports.schedules.catchUp((await s.core.chats.get(c.key))!);
    const chat = await waitFor(async () => {
      const x = await s.core.chats.get(c.key);
      return x && !x.active ? x : undefined;
    }, 10_000);
    expect(chat.deactivatedReason).toContain('blocked');
    expect(await scheduled(c)).toBe(false);
  });

  it('a rejected message (400 message thread not found) fails that delivery only: no retries, nothing left to sweep', async () => {
    const c = await dueChat();
    const before = s.fake.callsTo('sendMessage').length;
    s.fake.failNext('sendMessage', { error_code: 400, description: 'Bad Request: message thread not found' });
    await s.ports.schedules.catchUp((await s.core.chats.get(c.key))!);
    await waitFor(() => s.fake.callsTo('sendMessage').length > before, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.fake.callsTo('sendMessage').length - before).toBe(1);
    expect(digestsTo(c.id)).toHaveLength(0);
    const senders = new Map([['telegram' as const, s.app.service.telegram!.sender]]);
    const pending = await s.core.deliveries.pendingJobs(senders);
    expect(pending.filter((p) => p.chatKey === c.key)).toEqual([]);
    expect(await s.core.chats.get(c.key)).toMatchObject({ active: true });
  });

  it('a user who blocked the bot and comes back with /start gets digests again', async () => {
    const c = await dueChat();
    s.fake.blockChat(c.id);
    await s.ports.schedules.catchUp((await s.core.chats.get(c.key))!);
    await waitFor(async () => (await s.core.chats.get(c.key))?.active === false, 10_000);
    expect(await scheduled(c)).toBe(false);
    s.fake.unblockChat(c.id);
    await ask(s.fake, { id: c.id, type: 'private' }, { id: c.id, language_code: 'en' }, '/start');
    expect(await s.core.chats.get(c.key)).toMatchObject({ active: true, deactivatedReason: null });
    expect(await scheduled(c)).toBe(true);
  });

  it('network / 5xx failures retry with backoff', async () => {
    const c = await dueChat();
    s.fake.failNext('sendMessage', { error_code: 502 });
    await s.ports.schedules.catchUp((await s.core.chats.get(c.key))!);
    await waitFor(() => digestsTo(c.id).length === 1, 15_000);
  });

  it('a restart catches up a due digest and sends it once; another restart sends nothing twice', async () => {
    const a = await dueChat();
    await s.app.stop();
    await s.app.start();
    await waitFor(() => digestsTo(a.id).length === 1, 10_000);
    await s.app.stop();
    await s.app.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(digestsTo(a.id)).toHaveLength(1);
  });

  it('a digest recorded before a Redis wipe is delivered once after restart; schedulers come back', async () => {
    const b = await dueChat();
    await s.app.stop();
    // built and recorded by a process without workers, then Redis loses the queued job
    const connection = createRedis(s.app.config.REDIS_URL);
    const ports = createDeliveryPorts(connection, s.app.config.QUEUE_PREFIX);
    const core = await createCore(s.app.config, createLogger('silent'), {
      schedules: ports.schedules,
      deliveryQueue: ports.deliveries,
    });
    const slot = latestSlot([b.time], 'UTC', Date.now())!;
    expect(await core.digests.runScheduled(b.key, slot)).toBe('queued');
    await ports.close();
    await connection.quit();
    await core.close();
    await s.app.wipeRedis();
    await s.app.start();
    await waitFor(() => digestsTo(b.id).length === 1, 10_000);
    expect(await scheduled(b)).toBe(true);
    await s.app.stop();
    await s.app.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(digestsTo(b.id)).toHaveLength(1);
  });
});
