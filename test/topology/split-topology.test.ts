/**
 * The production topology of the README as separate processes — one `serve --role scheduler`,
 * two `--role worker`, one `--role bot` — on an own Redis and FerretDB, with the fake Telegram
 * Bot API and the fake Discord (REST + gateway) in this process:
 * - a Telegram digest and a Discord channel digest, scheduled for the next minute, and an instant
 *   Discord channel post of an article found by the next poll all arrive, exactly once;
 * - the bot process holding the leader locks is SIGKILLed and a standby bot takes over;
 * - a bot whose first `getMe` fails recovers by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverQueueName, QUEUE } from '../../jobs/queues.ts';
import { type FakeDiscord, type InteractInput, startFakeDiscord } from '../fakes/discord-api.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { addNewsGuild, feedAddInteraction, MANAGE_CHANNELS } from '../helpers/discord-guild.ts';
import { rssAt } from '../helpers/feeds.ts';
import { type OwnServers, startOwnServers } from './own-servers.ts';
import { type ProcessSet, processSet, type RoleProcess } from './process-harness.ts';
import { nextMinute, telegramUser } from './telegram-user.ts';
import {
  distinctiveTelegramToken,
  linesContaining,
  linesWithSecrets,
  type QueueWatch,
  roleEnv,
  TIMING,
  watchQueues,
} from './topology-env.ts';

const GUILD = '940000000000000001';
const CHANNEL = '940000000000000002';
const NEWS_GUILD = { guild: GUILD, channel: CHANNEL, botRole: '940000000000000100' };
/** A second guild whose channel follows a feed instantly (posts after each poll). */
const LIVE_GUILD = {
  guild: '940000000000000011',
  channel: '940000000000000012',
  botRole: '940000000000000110',
};
/** The shortest poll interval a source may have (src/sources/source-service.ts). */
const POLL_INTERVAL_MS = 60_000;

let servers: OwnServers;
let telegram: FakeTelegram;
let discord: FakeDiscord;
let site: NewsSite;
let procs: ProcessSet;
let queues: QueueWatch;
let bot1: RoleProcess;
/** The bot whose first getMe fails: its own fake Telegram, database and prefix. */
let flakyTelegram: FakeTelegram;
let flaky: ProcessSet;
let flakyStartedAt = 0;

const tgItems: Array<{ title: string; path: string }> = [
  { title: '港珠澳大橋車流創新高', path: '/tg/1.htm' },
];
const dcItems: Array<{ title: string; path: string }> = [{ title: '天星小輪加開班次', path: '/dc/1.htm' }];
const liveItems: Array<{ title: string; path: string }> = [{ title: '中環碼頭重開', path: '/live/1.htm' }];

/** `/settings` setting the guild's digest time (UTC) for every channel. */
function settingsInput(time: string): InteractInput {
  return {
    type: 2,
    name: 'settings',
    guildId: GUILD,
    channelId: CHANNEL,
    locale: 'en-US',
    permissions: MANAGE_CHANNELS,
    options: [
      { name: 'timezone', type: 3, value: 'UTC' },
      { name: 'digest_times', type: 3, value: time },
    ],
  };
}

/** Send an interaction and wait for its final answer (not a bare deferral). */
async function interact(input: InteractInput, timeoutMs = 30_000) {
  const { token } = discord.interact(input);
  return waitFor(
    () =>
      discord
        .interactionResponses(token)
        .find((r) => !(r.kind === 'callback' && (r.type === 5 || r.type === 6))),
    timeoutMs,
    { intervalMs: 50, message: `no answer to /${input.name} within ${timeoutMs} ms` },
  );
}

const withLogs = (err: unknown, set: ProcessSet = procs): never => {
  throw new Error(`${(err as Error).message}\n${set.outputs().slice(-8000)}`);
};

beforeAll(async () => {
  servers = await startOwnServers();
  [telegram, flakyTelegram, discord, site] = await Promise.all([
    startFakeTelegram({ token: distinctiveTelegramToken() }),
    startFakeTelegram({ token: distinctiveTelegramToken() }),
    startFakeDiscord({ heartbeatIntervalMs: 1000 }),
    startNewsSite(),
  ]);
  addNewsGuild(discord, NEWS_GUILD);
  addNewsGuild(discord, LIVE_GUILD);
  site.route('/tg.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(rssAt('香港新聞', tgItems, site.url));
  });
  site.route('/dc.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(rssAt('渡輪消息', dcItems, site.url));
  });
  site.route('/live.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(rssAt('碼頭快訊', liveItems, site.url));
  });
  procs = processSet(
    roleEnv(servers, {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_ROOT: `${discord.url}/api`,
      DEFAULT_POLL_INTERVAL: `${POLL_INTERVAL_MS}ms`,
    }),
  );
  queues = watchQueues(servers.redisUrl, procs.env.QUEUE_PREFIX!, [
    QUEUE.digest,
    QUEUE.fetch,
    deliverQueueName('telegram'),
    deliverQueueName('discord'),
  ]);
  // Telegram is down when this bot first starts: getMe fails twice, then answers.
  flakyTelegram.failNext('getMe', { error_code: 502 }, 2);
  flaky = processSet(
    roleEnv(servers, { TELEGRAM_BOT_TOKEN: flakyTelegram.token, TELEGRAM_API_ROOT: flakyTelegram.url }),
  );
  flakyStartedAt = Date.now();
  const flakyBot = flaky.spawn('bot');
  const [scheduler] = await Promise.all([
    procs.start('scheduler'),
    procs.start('worker'),
    procs.start('worker'),
    procs.start('bot').then((p) => {
      bot1 = p;
    }),
  ]).catch((err: unknown) => withLogs(err));
  expect(scheduler.alive && flakyBot.pid > 0).toBe(true);
}, 180_000);

afterAll(async () => {
  await Promise.all([procs?.stopAll(), flaky?.stopAll()]);
  await queues?.close();
  await Promise.all([telegram?.close(), flakyTelegram?.close(), discord?.close(), site?.close()]);
  await servers?.stop();
});

describe('split topology: scheduler, 2 workers and a bot as separate processes', () => {
  it('a scheduled Telegram digest, a scheduled Discord channel digest and an instant channel post arrive exactly once', async () => {
    const user = telegramUser(telegram, 6001);
    // The first answers also prove that the bot holds both leader locks.
    const subscribed = await user.ask(`/subscribe ${site.url}/tg.xml`, 60_000).catch(withLogs);
    expect(subscribed.text).toContain('subscribed');
    await waitFor(() => discord.gateway.connected, 30_000, { message: 'the bot never reached the gateway' });
    const added = await interact(feedAddInteraction(NEWS_GUILD, `${site.url}/dc.xml`, 'digest')).catch(
      withLogs,
    );
    expect(added.data.content).toContain('Added');
    // An instant feed: a new article is posted after the next poll (scheduler tick → fetch
    // worker → deliver worker).
    const live = await interact(feedAddInteraction(LIVE_GUILD, `${site.url}/live.xml`, 'instant')).catch(
      withLogs,
    );
    expect(live.data.content).toContain('Added');
    const liveAddedAt = Date.now();
    const fresh = { title: '西九文化區夜間渡輪試航', path: '/live/2.htm' };
    liveItems.unshift(fresh);

    // Both digests at the next minute; set again should the set-up itself run past it.
    let slot = nextMinute();
    let afterTime = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      slot = nextMinute();
      const timeSet = await user.ask(`/time ${slot.time}`).catch(withLogs);
      expect(timeSet.text).toContain(slot.time);
      afterTime = user.received().length;
      const settings = await interact(settingsInput(slot.time)).catch(withLogs);
      expect(settings.data.content).toContain('Saved');
      if (Date.now() < slot.at - 2_000) break;
    }
    const digestOf = () =>
      user
        .received()
        .slice(afterTime)
        .filter((m) => (m.text ?? '').includes(tgItems[0]!.title));
    const postsOf = () =>
      discord.channelMessages(CHANNEL).filter((m) => JSON.stringify(m).includes(dcItems[0]!.title));
    const livePosts = () =>
      discord.channelMessages(LIVE_GUILD.channel).filter((m) => JSON.stringify(m).includes(fresh.title));
    const bound = slot.at - Date.now() + 45_000;
    const outcome = await Promise.allSettled([
      waitFor(
        () => livePosts().length > 0,
        liveAddedAt + POLL_INTERVAL_MS + TIMING.pollTickMs + 45_000 - Date.now(),
        { intervalMs: 200, message: 'no instant Discord post of the new article after the next poll' },
      ),
      waitFor(() => digestOf().length > 0, bound, {
        intervalMs: 200,
        message: `no Telegram digest for the ${slot.time} UTC slot`,
      }),
      waitFor(() => postsOf().length > 0, bound, {
        intervalMs: 200,
        message: `no Discord channel digest for the ${slot.time} UTC slot`,
      }),
    ]);
    const failed = outcome.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).message] : []));
    if (failed.length > 0) {
      // A delivery that ends as 'gone' logs nothing: show what reached the fake Discord.
      const channelCalls = discord.rest
        .filter((r) => r.path.startsWith('/channels/'))
        .map((r) => `${r.method} ${r.path} → ${r.status}`);
      withLogs(
        new Error(`${failed.join('; ')}\nDiscord /channels requests: ${channelCalls.join(', ') || 'none'}`),
      );
    }
    await waitFor(async () => (await queues.pending([QUEUE.digest])) === 0, 30_000, { intervalMs: 200 });
    expect(digestOf()).toHaveLength(1);
    expect(postsOf()).toHaveLength(1);
    expect(livePosts()).toHaveLength(1);
  }, 240_000);

  it('a standby bot takes over Telegram polling and the Discord gateway when the lock holder is SIGKILLed', async () => {
    const bot2 = await procs.start('bot').catch(withLogs);
    const user = telegramUser(telegram, 6002);
    expect((await user.ask('/help').catch(withLogs)).text).toBeTruthy();
    const identifiesBefore = discord.gateway.identifies;
    const killedAt = Date.now();
    await bot1.kill();
    // The lock expires at most a TTL after the last renewal; the standby tries every TTL/3.
    const ttl = TIMING.leaderLockTtlMs;
    const bound = ttl + ttl / 3 + 20_000;
    const answer = await user.ask('/list', bound).catch(withLogs);
    const telegramAfter = Date.now() - killedAt;
    expect(answer.text).toContain('No subscriptions yet');
    await waitFor(() => discord.gateway.identifies > identifiesBefore && discord.gateway.connected, bound, {
      message: 'the standby bot never identified to the Discord gateway',
    }).catch(withLogs);
    const reply = await interact({
      type: 2,
      name: 'headlines',
      guildId: GUILD,
      channelId: CHANNEL,
      locale: 'en-US',
    });
    const discordAfter = Date.now() - killedAt;
    expect(reply.data).toBeTruthy();
    process.stdout.write(
      `takeover after SIGKILL of ${bot1.name}: Telegram answered after ${telegramAfter} ms, ` +
        `Discord after ${discordAfter} ms (lock TTL ${ttl} ms)\n`,
    );
    expect(bot2.alive).toBe(true);
  }, 120_000);

  it('a bot whose first getMe fails recovers by itself', async () => {
    const user = telegramUser(flakyTelegram, 6003);
    // Recovery may back off; give it a minute from start-up, and at least 30 s from now.
    const left = Math.max(30_000, flakyStartedAt + 60_000 - Date.now());
    const answer = await user.ask('/start', left).catch((err: unknown) => withLogs(err, flaky));
    expect(answer.text).toBeTruthy();
    expect(flakyTelegram.callsTo('getMe').length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('every process is still running, and no process log contains a bot token', () => {
    const dead = procs.processes
      .filter((p) => p !== bot1 && !p.alive)
      .map((p) => `${p.name} ${JSON.stringify(p.exit)}`);
    expect(dead).toEqual([]);
    const secrets = [telegram.token, flakyTelegram.token, discord.token];
    expect([...linesWithSecrets(procs, secrets), ...linesWithSecrets(flaky, secrets)]).toEqual([]);
    // The scheduler holds no search index (decision 0015): nothing it ran asked for one.
    expect(linesContaining(procs, ['holds no search index'])).toEqual([]);
  });
});
