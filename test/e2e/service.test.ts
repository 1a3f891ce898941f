/**
 * The whole service through its composition root (`startService`): the real telegraf and
 * discord.js clients against the fakes, a fake news site, real FerretDB and Redis. A user
 * subscribes in Telegram and gets a digest; a Discord channel feed gets new articles posted
 * through the delivery queue after a poll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/main.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord-api.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { startTestService, type TestService } from '../helpers/test-service.ts';

const GUILD = '930000000000000001';
const CHANNEL = '930000000000000002';
const MANAGE_CHANNELS = String(1n << 4n);

let telegram: FakeTelegram;
let discord: FakeDiscord;
let site: NewsSite;
let service: Service;
let testService: TestService;
let items: Array<{ title: string; path: string }> = [];

function feed(base: string): string {
  const now = new Date().toUTCString();
  const entries = items
    .map(
      (i) => `<item><title>${i.title}</title><link>${base}${i.path}</link><pubDate>${now}</pubDate></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>香港新聞</title><link>${base}/</link>${entries}</channel></rss>`;
}

beforeAll(async () => {
  telegram = await startFakeTelegram();
  discord = await startFakeDiscord({ heartbeatIntervalMs: 1000 });
  discord.addGuild({
    id: GUILD,
    name: '新聞台',
    channels: [{ id: CHANNEL, name: 'news', type: 0 }],
    roles: [{ id: '930000000000000100', name: 'bots', permissions: '8' }],
    members: [
      {
        user: { id: discord.applicationId, username: 'newsrelay', bot: true },
        roles: ['930000000000000100'],
      },
    ],
  });
  site = await startNewsSite();
  items = [{ title: '李家超參觀香港抗戰及海防博物館', path: '/a/1.htm' }];
  site.route('/hk.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(feed(site.url));
  });
  testService = await startTestService({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_ROOT: `${discord.url}/api`,
  });
  service = testService.service;
}, 60_000);

afterAll(async () => {
  await testService?.cleanup();
  await telegram?.close();
  await discord?.close();
  await site?.close();
});

describe('newsrelay serve (all roles in one process)', () => {
  it('answers health checks: alive on /healthz; MongoDB, Redis and both adapters ready on /readyz', async () => {
    const res = await fetch(`${service.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    // Ready once the bot adapters run (each starts when it holds its lock).
    const ready = await waitFor(async () => {
      const r = await fetch(`${service.httpUrl}/readyz`);
      return r.status === 200 ? r : undefined;
    }, 15_000);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: { mongodb: { ok: true }, redis: { ok: true }, telegram: { ok: true }, discord: { ok: true } },
    });
  });

  it('a Telegram user subscribes to a feed URL and /digest brings its headline', async () => {
    const chat = { id: 7001, type: 'private' as const };
    const from = { id: 7001, language_code: 'en', first_name: 'Ada' };
    telegram.sendText(chat, from, `/subscribe ${site.url}/hk.xml`);
    await waitFor(() => telegram.sentMessages(7001).length >= 1, 15_000);
    telegram.sendText(chat, from, '/digest');
    const digest = await waitFor(
      () =>
        telegram.sentMessages(7001).find((m) => String(m.text).includes('李家超參觀香港抗戰及海防博物館')),
      15_000,
    );
    expect(digest.parse_mode).toBe('HTML');
  });

  it('a Discord channel feed gets a new article posted after the next poll', async () => {
    const { token } = discord.interact({
      type: 2,
      name: 'feed',
      guildId: GUILD,
      channelId: CHANNEL,
      locale: 'en-US',
      permissions: MANAGE_CHANNELS,
      options: [
        {
          name: 'add',
          type: 1,
          options: [
            { name: 'channel', type: 7, value: CHANNEL },
            { name: 'source', type: 3, value: `${site.url}/hk.xml` },
          ],
        },
      ],
      resolved: {
        channels: { [CHANNEL]: { id: CHANNEL, type: 0, name: 'news', permissions: '2251799813685247' } },
      },
    });
    await waitFor(
      () => discord.interactionResponses(token).some((r) => r.kind !== 'callback' || r.type !== 5),
      15_000,
    );

    items = [{ title: '深水灣泳灘8歲男童遇溺', path: '/a/2.htm' }, ...items];
    const source = (await service.core.sources.list())[0]!;
    await service.core.ingest.fetchById(source.id);
    const posted = await waitFor(
      () =>
        discord
          .channelMessages(CHANNEL)
          .find((m) => JSON.stringify(m.embeds ?? m.content).includes('深水灣泳灘')),
      20_000,
    );
    expect(posted.allowed_mentions).toEqual({ parse: [] });
  });

  it('exposes delivery outcomes, answer latency and queue depth on /metrics', async () => {
    const scrape = async () => (await fetch(`${service.httpUrl}/metrics`)).text();
    // The worker counts a part once it is recorded, a moment after the platform has it.
    const text = await waitFor(async () => {
      const t = await scrape();
      return /newsrelay_deliveries_total\{platform="discord",outcome="sent"\} [1-9]/.test(t) ? t : undefined;
    }, 10_000);
    expect(text).toMatch(/newsrelay_deliveries_total\{platform="telegram",outcome="sent"\} [1-9]/);
    expect(text).toMatch(/newsrelay_interaction_seconds_count\{platform="telegram"\} [1-9]/);
    expect(text).toMatch(/newsrelay_interaction_seconds_count\{platform="discord"\} [1-9]/);
    expect(text).toMatch(/newsrelay_queue_jobs\{queue="deliver-telegram"\} \d+/);
    expect(text).toContain('# TYPE newsrelay_rate_limited_total counter');
  });
});
