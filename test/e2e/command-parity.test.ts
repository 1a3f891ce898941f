/**
 * Telegram and Discord run the same commands: one service with both adapters (the real telegraf
 * and discord.js clients against their fakes), the same scenario typed on each platform, and the
 * outcomes compared — validation sentences, limits, time-zone handling and what is stored.
 * Before the one command layer, Discord accepted 24 digest times where Telegram allowed 6,
 * stored time zones as typed, and had no subscription cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chat } from '../../src/domain/types.ts';
import { t } from '../../src/i18n/i18n.ts';
import type { FakeDiscord, InteractInput } from '../fakes/discord-api.ts';
import { startFakeDiscord } from '../fakes/discord-api.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { startTestService, type TestService } from '../helpers/test-service.ts';
import { finalAnswer } from './discord-harness.ts';
import { ask } from './telegram-harness.ts';

const GUILD = '930000000000000001';
const CHANNEL = '930000000000000010';
const MANAGE_CHANNELS = String(1n << 4n);
const user = { id: 4242, first_name: 'Wen', language_code: 'en' };
const dm = { id: 4242, type: 'private' as const, first_name: 'Wen' };

let tg: FakeTelegram;
let dc: FakeDiscord;
let site: NewsSite;
let app: TestService;

/** The Telegram reply to `text`: its first line (Telegram adds usage lines where Discord has typed options). */
async function telegram(text: string): Promise<string> {
  const [reply] = await ask(tg, dm, user, text);
  return (reply?.text ?? '').split('\n')[0] ?? '';
}

/** The Discord answer to /settings or /feed add with these options. */
async function discord(input: Partial<InteractInput>): Promise<string> {
  const channels = { [CHANNEL]: { id: CHANNEL, type: 0, name: 'news', permissions: MANAGE_CHANNELS } };
  const { token } = dc.interact({
    type: 2,
    guildId: GUILD,
    channelId: CHANNEL,
    locale: 'en-US',
    permissions: MANAGE_CHANNELS,
    resolved: { channels },
    ...input,
  });
  const { last } = await finalAnswer(dc, token);
  return String(last.data.content ?? '');
}

const settings = (options: Array<{ name: string; value: string }>) =>
  discord({ name: 'settings', options: options.map((o) => ({ ...o, type: 3 })) });

const feedAdd = (source: string) =>
  discord({
    name: 'feed',
    options: [
      {
        name: 'add',
        type: 1,
        options: [
          { name: 'channel', type: 7, value: CHANNEL },
          { name: 'source', type: 3, value: source },
        ],
      },
    ],
  });

const telegramChat = async (): Promise<Chat> => (await app.core.chats.get(`telegram:${dm.id}`))!;
const guildChat = async (): Promise<Chat> => (await app.core.chats.get(`discord:${GUILD}`))!;

beforeAll(async () => {
  tg = await startFakeTelegram();
  dc = await startFakeDiscord({ heartbeatIntervalMs: 1000 });
  dc.addGuild({
    id: GUILD,
    name: 'parity',
    preferredLocale: 'en-US',
    channels: [{ id: CHANNEL, name: 'news', type: 0 }],
  });
  site = await startNewsSite();
  site.route('/a.xml', {
    body: rss('Parity News', [
      { title: '两岸新闻一则', link: 'https://p.example.cn/1.htm', pubDate: hoursAgo(1) },
    ]),
    contentType: 'application/rss+xml',
  });
  app = await startTestService({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.url,
    DISCORD_TOKEN: dc.token,
    DISCORD_APPLICATION_ID: dc.applicationId,
    DISCORD_API_ROOT: `${dc.url}/api`,
  });
  await waitFor(() => app.service.telegram?.running && app.service.discord?.client.isReady(), 15_000);
  await app.core.sources.add(`${site.url}/a.xml`);
  // Both chats exist before the scenario (a first message, a first admin command).
  await telegram('/start');
  await settings([]);
});

afterAll(async () => {
  await app?.cleanup();
  await tg?.close();
  await dc?.close();
  await site?.close();
});

describe('the same commands on Telegram and Discord', () => {
  it('refuse an invalid time of day with the same sentence, and change nothing', async () => {
    const want = t('en', 'time.invalid', { value: '25:99', max: 6 });
    expect(await telegram('/time 25:99')).toBe(want);
    expect(await settings([{ name: 'digest_times', value: '25:99' }])).toBe(want);
    expect((await telegramChat()).digestTimes).toEqual(['08:00']);
    expect((await guildChat()).digestTimes).toEqual(['08:00']);
  });

  it('hold the same limit of digest times', async () => {
    const seven = '01:00,02:00,03:00,04:00,05:00,06:00,07:00';
    const want = t('en', 'time.tooMany', { max: 6 });
    expect(await telegram(`/time ${seven}`)).toBe(want);
    expect(await settings([{ name: 'digest_times', value: seven }])).toBe(want);
    const six = '01:00 06:00,02:00,03:00,04:00,05:00';
    await telegram(`/time ${six}`);
    await settings([{ name: 'digest_times', value: six }]);
    const sorted = ['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'];
    expect((await telegramChat()).digestTimes).toEqual(sorted);
    expect((await guildChat()).digestTimes).toEqual(sorted);
  });

  it('store time zones in their canonical spelling and refuse legacy abbreviations alike', async () => {
    await telegram('/timezone asia/hong_kong');
    await settings([{ name: 'timezone', value: 'asia/hong_kong' }]);
    expect((await telegramChat()).timezone).toBe('Asia/Hong_Kong');
    expect((await guildChat()).timezone).toBe('Asia/Hong_Kong');
    const want = t('en', 'timezone.invalid', { value: 'EST' });
    expect(await telegram('/timezone EST')).toBe(want);
    expect(await settings([{ name: 'timezone', value: 'EST' }])).toBe(want);
    expect((await telegramChat()).timezone).toBe('Asia/Hong_Kong');
  });

  it('refuse an unknown script with the same sentence', async () => {
    const want = t('en', 'script.invalid', { value: 'klingon' });
    expect(await telegram('/script klingon')).toBe(want);
    expect(await settings([{ name: 'script', value: 'klingon' }])).toBe(want);
  });

  it('check the subscription cap before anything is stored, with the same sentence', async () => {
    const fill = async (key: string) => {
      for (let n = 0; n < 100; n++) await app.core.chats.subscribe(key, { keyword: `词${n}` });
    };
    await fill(`telegram:${dm.id}`);
    await app.core.chats.ensure({
      platform: 'discord',
      chatId: CHANNEL,
      type: 'guild-channel',
      parentKey: `discord:${GUILD}`,
      locale: 'en',
      timezone: 'UTC',
    });
    await fill(`discord:${CHANNEL}`);
    site.route('/new.xml', {
      body: rss('Never Added', [
        { title: '不应入库', link: 'https://p.example.cn/2.htm', pubDate: hoursAgo(1) },
      ]),
      contentType: 'application/rss+xml',
    });
    const want = t('en', 'subscribe.tooMany', { max: 100 });
    expect(await telegram(`/subscribe ${site.url}/new.xml`)).toBe(want);
    expect(await feedAdd(`${site.url}/new.xml`)).toBe(want);
    // The feed was neither fetched nor stored.
    expect(site.requests.filter((r) => r.path === '/new.xml')).toHaveLength(0);
    expect(await app.core.sources.find(`${site.url}/new.xml`)).toBeNull();
    expect((await telegramChat()).subscriptions).toHaveLength(100);
  });
});
