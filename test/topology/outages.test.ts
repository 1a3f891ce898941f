/**
 * Outages of the split topology (a scheduler, a worker and a bot as separate processes, on an own
 * Redis and FerretDB that other test files never see):
 * - Redis is flushed mid-run: polling and the next scheduled digest still happen, and the bot
 *   keeps answering;
 * - MongoDB is stopped for 20 s (the own FerretDB process, restarted on the same data): no process
 *   crashes, users asking the bot in that window are told to try again, and work resumes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { rssAt } from '../helpers/feeds.ts';
import { type OwnServers, startOwnServers } from './own-servers.ts';
import { type ProcessSet, processSet } from './process-harness.ts';
import { nextMinute, type TelegramUser, telegramUser } from './telegram-user.ts';
import { distinctiveTelegramToken, linesWithSecrets, roleEnv, TIMING } from './topology-env.ts';

/** The shortest poll interval a source may have (src/sources/source-service.ts). */
const POLL_INTERVAL_MS = 60_000;
const OUTAGE_MS = 20_000;

let servers: OwnServers;
let telegram: FakeTelegram;
let site: NewsSite;
let procs: ProcessSet;
let user: TelegramUser;
const items: Array<{ title: string; path: string }> = [{ title: '九龍城寨公園導賞團', path: '/hk/1.htm' }];

const withLogs = (err: unknown): never => {
  throw new Error(
    `${(err as Error).message}\n${procs.outputs().slice(-8000)}\n${servers.logs().slice(-2000)}`,
  );
};

/** The failures of `checks`, by name; all are awaited, so one report names every broken part. */
async function failuresOf(checks: Record<string, Promise<unknown>>): Promise<string[]> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(Object.values(checks));
  return results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${names[i]}: ${(r.reason as Error).message.split('\n')[0]}`] : [],
  );
}

/** Fail with every failure and the processes' output, if there is any failure. */
function report(failures: string[]): void {
  if (failures.length > 0) withLogs(new Error(failures.join('\n')));
}

const feedRequests = (path: string) => site.requests.filter((r) => r.path === path).length;

beforeAll(async () => {
  servers = await startOwnServers();
  [telegram, site] = await Promise.all([
    startFakeTelegram({ token: distinctiveTelegramToken() }),
    startNewsSite(),
  ]);
  site.route('/hk.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(rssAt('香港新聞', items, site.url));
  });
  site.route('/late.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(rssAt('晚報', [{ title: '中環街市夜市開幕', path: '/late/1.htm' }], site.url));
  });
  procs = processSet(
    roleEnv(servers, {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      DEFAULT_POLL_INTERVAL: `${POLL_INTERVAL_MS / 1000}s`,
    }),
  );
  await Promise.all([procs.start('scheduler'), procs.start('worker'), procs.start('bot')]).catch(withLogs);
  user = telegramUser(telegram, 7001);
}, 180_000);

afterAll(async () => {
  await procs?.stopAll();
  await Promise.all([telegram?.close(), site?.close()]);
  await servers?.stop();
});

describe('outages of the split topology (scheduler, worker, bot as processes)', () => {
  it('Redis flushed mid-run: polling, the next scheduled digest and the bot carry on', async () => {
    const subscribed = await user.ask(`/subscribe ${site.url}/hk.xml`, 60_000).catch(withLogs);
    expect(subscribed.text).toContain('subscribed');
    const subscribedAt = Date.now();
    const slot = nextMinute(25_000);
    expect((await user.ask(`/time ${slot.time}`).catch(withLogs)).text).toContain(slot.time);
    const afterTime = user.received().length;

    await servers.flushRedis();
    const flushedRequests = feedRequests('/hk.xml');
    items.unshift({ title: '啟德體育園首場演唱會', path: '/hk/2.htm' });
    const digests = () =>
      user
        .received()
        .slice(afterTime)
        .filter((m) => (m.text ?? '').includes(items.at(-1)!.title));

    const failures = await failuresOf({
      'bot answers after the flush': user.ask('/list', 40_000),
      'source polled after the flush': waitFor(
        () => feedRequests('/hk.xml') > flushedRequests,
        subscribedAt + POLL_INTERVAL_MS + TIMING.pollTickMs + 30_000 - Date.now(),
        { intervalMs: 250, message: 'no poll of the source after the Redis flush' },
      ),
      'scheduled digest after the flush': waitFor(() => digests().length > 0, slot.at + 45_000 - Date.now(), {
        intervalMs: 250,
        message: `no digest for the ${slot.time} UTC slot after the Redis flush`,
      }),
    });
    report(failures);
    expect(digests()).toHaveLength(1);
  }, 240_000);

  it('MongoDB stopped for 20 s: nothing crashes, users are told to try again, work resumes', async () => {
    for (const p of procs.processes) expect(p.alive).toBe(true);
    const stoppedAt = Date.now();
    await servers.stopMongo();
    // Every phase runs even when an earlier one failed: the report names all that broke.
    const failures = await failuresOf({
      'users asking are told to try again': user
        .ask('/list', OUTAGE_MS - 5_000)
        .then((m) => expect(m.text).toMatch(/try again/i)),
      '/readyz names mongodb as not ready': Promise.all(
        procs.processes.map((p) =>
          waitFor(
            async () => {
              const res = await fetch(`${p.httpUrl}/readyz`);
              const body = (await res.json()) as { notReady?: string[] };
              return res.status === 503 && body.notReady?.includes('mongodb');
            },
            OUTAGE_MS - 5_000,
            { intervalMs: 500, message: `${p.name}'s /readyz did not report mongodb down` },
          ),
        ),
      ),
    });
    // The outage lasts its 20 s whatever the checks took.
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())));
    for (const p of procs.processes.filter((x) => !x.alive))
      failures.push(`${p.name} died during the outage: ${JSON.stringify(p.exit)}`);
    await servers.startMongo();

    const after = await failuresOf({
      'every process ready again': Promise.all(
        procs.processes.map((p) =>
          waitFor(async () => (await fetch(`${p.httpUrl}/readyz`)).status === 200, 60_000, {
            intervalMs: 500,
            message: `${p.name} not ready after MongoDB came back`,
          }),
        ),
      ),
      // A new source (probed by the bot) and a digest built and sent through the worker.
      'commands and deliveries work again': (async () => {
        const added = await waitFor(
          async () => {
            const m = await user.ask(`/subscribe ${site.url}/late.xml`, 20_000);
            return /subscribed/i.test(m.text ?? '') ? m : null;
          },
          60_000,
          { intervalMs: 1_000 },
        );
        expect(added.text).toContain('晚報');
        const before = user.received().length;
        user.ask('/digest').catch(() => {});
        await waitFor(
          () =>
            user
              .received()
              .slice(before)
              .some((m) => (m.text ?? '').includes('中環街市夜市開幕')),
          45_000,
          { intervalMs: 250, message: 'no digest with the new source after MongoDB came back' },
        );
      })(),
    });
    for (const p of procs.processes.filter((x) => !x.alive))
      after.push(`${p.name} died after the outage: ${JSON.stringify(p.exit)}`);
    report([...failures, ...after]);
  }, 240_000);

  it('no process log contains the bot token', () => {
    expect(linesWithSecrets(procs, [telegram.token])).toEqual([]);
  });
});
