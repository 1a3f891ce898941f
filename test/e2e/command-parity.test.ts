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
import { ChatStore } from '../../src/store/chat-store.ts';
import { openDatabase } from '../../src/store/database.ts';
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

/** The Discord answer to a command with these options (in the guild, by a member who may manage it). */
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

/** The Discord answer to `/feed <sub>` for the channel with these string options. */
const feed = (sub: string, options: Array<{ name: string; value: string }>) =>
  discord({
    name: 'feed',
    options: [
      {
        name: sub,
        type: 1,
        options: [{ name: 'channel', type: 7, value: CHANNEL }, ...options.map((o) => ({ ...o, type: 3 }))],
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

  it('filter, rename and mute a subscription with the same answers and the same stored result', async () => {
    await telegram('/subscribe Parity News');
    await feedAdd('Parity News');
    const set = t('en', 'subfilter.set', { name: 'Parity News', filters: '-体育' });
    expect(await telegram('/filter Parity News -體\u200B育')).toBe(set);
    expect(
      await feed('filter', [
        { name: 'source', value: 'Parity News' },
        { name: 'exclude', value: '體\u200B育' },
      ]),
    ).toBe(set);
    const tooLong = t('en', 'filter.invalid', { max: 50 });
    expect(await telegram(`/filter Parity News -${'长'.repeat(51)}`)).toBe(tooLong);
    expect(
      await feed('filter', [
        { name: 'source', value: 'Parity News' },
        { name: 'exclude', value: '长'.repeat(51) },
      ]),
    ).toBe(tooLong);
    const signed = t('en', 'rename.invalid', { max: 40 });
    expect(await telegram('/rename Parity News +PN')).toBe(signed);
    expect(
      await feed('rename', [
        { name: 'source', value: 'Parity News' },
        { name: 'name', value: '+PN' },
      ]),
    ).toBe(signed);
    const renamed = t('en', 'rename.done', { old: 'Parity News', name: '两岸' });
    expect(await telegram('/rename parity news 两岸')).toBe(renamed);
    expect(
      await feed('rename', [
        { name: 'source', value: 'parity news' },
        { name: 'name', value: '两岸' },
      ]),
    ).toBe(renamed);
    const muted = t('en', 'mute.done', { name: '两岸' });
    expect(await telegram('/mute 兩岸')).toBe(muted);
    expect(await feed('mute', [{ name: 'source', value: '兩岸' }])).toBe(muted);
    const stored = async (key: string) =>
      (await app.core.chats.get(key))!.subscriptions.map((s) => ({
        name: s.name,
        muted: s.muted,
        include: s.include,
        exclude: s.exclude,
      }));
    expect(await stored(`telegram:${dm.id}`)).toEqual([
      { name: '两岸', muted: true, include: [], exclude: ['体育'] },
    ]);
    expect(await stored(`discord:${CHANNEL}`)).toEqual(await stored(`telegram:${dm.id}`));
    // Leave both chats without subscriptions for the cap check.
    await telegram('/unsubscribe 两岸');
    await feed('remove', [{ name: 'source', value: '两岸' }]);
  });

  it('check the subscription cap before anything is stored, with the same sentence', async () => {
    // 100 keyword subscriptions written at once (subscribing one by one takes a minute on a busy machine).
    const fill = async (key: string) => {
      const subscriptions = Array.from({ length: 100 }, (_, n) => ({
        id: `fill${n}`,
        kind: 'keyword' as const,
        sourceId: null,
        keyword: `词${n}`,
        instant: false,
        threadId: null,
        name: null,
        include: [],
        exclude: [],
        muted: false,
        createdAt: new Date(),
      }));
      const db = await openDatabase(app.config.MONGODB_URI);
      await new ChatStore(db.models).update(key, (c) => {
        c.subscriptions = subscriptions;
      });
      await db.close();
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
