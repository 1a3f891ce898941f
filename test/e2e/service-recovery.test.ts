/**
 * The service heals itself: a bot whose first start fails (getMe answers 500) reports not ready,
 * releases its lock and starts by itself; a Redis that lost its data (wiped, failed over) gets its
 * schedules back from MongoDB without a restart. Before, a failed start left the lock held and
 * /healthz green while nothing polled, and a wiped Redis stopped polling and digests until the
 * next restart.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { schedulerId } from '../../jobs/chat-schedules.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { startTestService, type TestService } from '../helpers/test-service.ts';
import { ask } from './telegram-harness.ts';

let fake: FakeTelegram;
let app: TestService;

const readyz = async () => {
  const res = await fetch(`${app.service.httpUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  fake = await startFakeTelegram();
  fake.failNext('getMe', { error_code: 502 }, 2);
  app = await startTestService({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
    LEADER_LOCK_TTL: '600ms',
    RECONCILE_INTERVAL: '300ms',
  });
});

afterAll(async () => {
  await app?.cleanup();
  await fake?.close();
});

describe('service recovery', () => {
  it('a bot whose getMe fails is not ready, then starts polling by itself', async () => {
    await waitFor(() => fake.callsTo('getMe').length >= 1, 5000);
    const early = await readyz();
    if (!app.service.telegram?.running) {
      expect(early.status).toBe(503);
      expect(early.body.notReady).toContain('telegram');
    }
    await waitFor(() => app.service.telegram?.running, 15_000, { message: 'the bot never recovered' });
    expect(fake.callsTo('getMe').length).toBeGreaterThanOrEqual(3);
    expect((await readyz()).status).toBe(200);
    const [reply] = await ask(fake, { id: 77, type: 'private' }, { id: 77, language_code: 'en' }, '/start');
    expect(reply?.text).toContain('Welcome');
  });

  it('schedules come back after Redis lost them, without a restart', async () => {
    const dm = { id: 78, type: 'private' as const };
    await ask(fake, dm, { id: 78, language_code: 'en' }, '/subscribe 香港');
    await ask(fake, dm, { id: 78, language_code: 'en' }, '/time 07:30');
    const digestQueue = app.service.ports.schedules.queue;
    const pollQueue = app.service.ingest.pollQueue;
    const chatScheduler = schedulerId((await app.service.core.chats.get('telegram:78'))!.timezone, '07:30');
    expect(await digestQueue.getJobScheduler(chatScheduler)).toBeTruthy();
    const redis = new Redis(app.config.REDIS_URL);
    onTestFinished(() => redis.disconnect());
    const marker = `${app.config.QUEUE_PREFIX}:schedules-built`;
    const builtBefore = await redis.get(marker);
    expect(builtBefore).toBeTruthy();
    await app.wipeRedis();
    // The reconciler checks every 300 ms, possibly while the wipe is still deleting: that the
    // schedules were lost shows in the rebuild it records, not in a look right after the wipe
    // (which the reconciler may already have answered).
    await waitFor(async () => ![null, builtBefore].includes(await redis.get(marker)), 10_000, {
      message: 'the reconciler did not rebuild the schedules',
    });
    await waitFor(async () => Boolean(await digestQueue.getJobScheduler(chatScheduler)), 10_000, {
      message: 'the digest group scheduler did not come back',
    });
    expect(await pollQueue.getJobScheduler('poll-tick')).toBeTruthy();
  });
});
