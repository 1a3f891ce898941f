/**
 * `/feed filter|rename|mute|unmute` end to end: the real discord.js client against the fake
 * Discord, the service on real FerretDB and Redis. Answers in the member's language (zh-CN,
 * zh-TW, en-US); what a channel's digests and instant posts carry follows the settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/types.ts';
import { t } from '../../src/i18n/i18n.ts';
import type { InteractInput, InteractionResponse } from '../fakes/discord-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { type FeedItem, hoursAgo, rss } from '../helpers/feeds.ts';
import { type DiscordStack, startDiscordStack } from './discord-harness.ts';

const GUILD = '940000000000000001';
const NEWS = '940000000000000010';
const VOICE = '940000000000000011';
const QUIET = '940000000000000012';
const MANAGE_CHANNELS = String(1n << 4n);
const SEND_ONLY = String(1n << 11n);
const CHANNEL_TYPES: Record<string, number> = { [NEWS]: 0, [VOICE]: 2, [QUIET]: 0 };

let d: DiscordStack;
let shId = '';
let hkId = '';

const shItems: FeedItem[] = [
  { title: '地铁新线开通', link: 'https://sh.example.cn/1.htm', pubDate: hoursAgo(1) },
  { title: '上海体育场翻新', link: 'https://sh.example.cn/2.htm', pubDate: hoursAgo(1) },
  { title: '台\u200B湾\u2067旅客增加', link: 'https://sh.example.cn/3.htm', pubDate: hoursAgo(1) },
];
const hkItems: FeedItem[] = [
  { title: '天星小輪加班', link: 'https://hk.example.com/1.htm', pubDate: hoursAgo(1) },
];

type Option = NonNullable<InteractInput['options']>[number];
const str = (name: string, value: string): Option => ({ name, type: 3, value });
const channel = (id: string): Option => ({ name: 'channel', type: 7, value: id });

/** `/feed <sub>` as Discord sends it, with the member's permissions in the named channel. */
async function feed(
  sub: string,
  options: Option[],
  extra: { locale?: string; permissions?: string } = {},
): Promise<InteractionResponse> {
  const permissions = extra.permissions ?? MANAGE_CHANNELS;
  const channels = Object.fromEntries(
    options
      .filter((o) => o.type === 7)
      .map((o) => {
        const id = String(o.value);
        return [id, { id, type: CHANNEL_TYPES[id] ?? 0, name: `c${id.slice(-2)}`, permissions }];
      }),
  );
  const { last } = await d.interact({
    name: 'feed',
    options: [{ name: sub, type: 1, options }],
    permissions,
    locale: extra.locale ?? 'en-US',
    ...(Object.keys(channels).length ? { resolved: { channels } } : {}),
  });
  return last;
}

/** The ephemeral text answer of a `/feed` command. */
async function say(sub: string, options: Option[], locale = 'en-US'): Promise<string> {
  const last = await feed(sub, options, { locale });
  expect(last.data.flags).toBe(64);
  return String(last.data.content ?? '');
}

const chat = async (id: string) => (await d.core.chats.get(`discord:${id}`))!;

beforeAll(async () => {
  d = await startDiscordStack({
    guild: (fake) => ({
      id: GUILD,
      name: 'settings',
      preferredLocale: 'en-US',
      channels: [
        { id: NEWS, name: 'news', type: 0 },
        { id: VOICE, name: 'voice', type: 2 },
        { id: QUIET, name: 'quiet', type: 0 },
      ],
      roles: [{ id: '940000000000000100', name: 'bots', permissions: '8' }],
      members: [
        { user: { id: fake.applicationId, username: 'newsrelay', bot: true }, roles: ['940000000000000100'] },
      ],
    }),
    channelId: NEWS,
    locale: 'en-US',
    feeds: [
      { path: '/sh.xml', body: rss('上海日报', shItems) },
      { path: '/hk.xml', body: rss('香港新聞', hkItems) },
    ],
  });
  shId = d.sourceIds.get('/sh.xml')!;
  hkId = d.sourceIds.get('/hk.xml')!;
  await say('add', [channel(NEWS), str('source', shId), str('mode', 'digest')]);
  await say('add', [channel(NEWS), str('source', hkId), str('mode', 'instant')]);
});

afterAll(async () => {
  await d?.close();
});

describe('/feed filter, rename, mute and unmute', () => {
  it('/feed filter sets a source’s own words and the channel’s, and shows them', async () => {
    // The source by the id autocomplete gives, or by its name in the other script.
    expect(await say('filter', [channel(NEWS), str('source', shId), str('exclude', '體育')], 'zh-TW')).toBe(
      t('zh-Hant', 'subfilter.set', { name: '上海日报', filters: '-体育' }),
    );
    expect(await say('filter', [channel(NEWS), str('exclude', '臺\u200B灣')], 'zh-CN')).toBe(
      t('zh-Hans', 'filter.set', { filters: '-台湾' }),
    );
    expect(await say('filter', [channel(NEWS)])).toBe(t('en', 'filter.set', { filters: '-台湾' }));
    expect(await say('filter', [channel(NEWS), str('source', '上海日報')])).toBe(
      t('en', 'subfilter.set', { name: '上海日报', filters: '-体育' }),
    );
    expect(await say('filter', [channel(NEWS), str('source', hkId)])).toBe(
      t('en', 'subfilter.none', { name: '香港新聞' }),
    );
    const news = await chat(NEWS);
    expect(news.exclude).toEqual(['台湾']);
    expect(news.subscriptions.find((s) => s.sourceId === shId)?.exclude).toEqual(['体育']);
    // A clear with words: clear wins, as typed last would on Telegram.
    expect(
      await say('filter', [
        channel(NEWS),
        str('source', hkId),
        str('include', '天星'),
        { name: 'clear', type: 5, value: true },
      ]),
    ).toBe(t('en', 'subfilter.cleared', { name: '香港新聞' }));
  });

  it('channel-wide words may be set before a channel has a feed', async () => {
    expect(await say('filter', [channel(QUIET), str('include', '香港, 澳門')])).toBe(
      t('en', 'filter.set', { filters: '+香港 +澳门' }),
    );
    expect(await chat(QUIET)).toMatchObject({ include: ['香港', '澳门'], parentKey: `discord:${GUILD}` });
  });

  it('/feed rename and /feed mute show in /feed list and in what the channel gets', async () => {
    expect(await say('rename', [channel(NEWS), str('source', shId), str('name', '申城早报')], 'zh-CN')).toBe(
      t('zh-Hans', 'rename.done', { old: '上海日报', name: '申城早报' }),
    );
    expect(await say('mute', [channel(NEWS), str('source', '香港新闻')], 'zh-TW')).toBe(
      t('zh-Hant', 'mute.done', { name: '香港新聞' }),
    );
    const list = await feed('list', []);
    const text = String(list.data.embeds[0].description);
    expect(text).toContain(
      `申城早报 (${t('en', 'feed.modeDigest')})${t('en', 'list.subFilters', { filters: '-体育' })}`,
    );
    expect(text).toContain(`香港新聞 (${t('en', 'feed.modeInstant')})${t('en', 'list.muted')}`);
    expect(text).toContain(t('en', 'list.filters', { filters: '-台湾' }));

    // The digest: one group under the new name, without the source's or the channel's excluded
    // words (the latter behind a zero-width space and a bidi isolate), nothing from the muted source.
    const before = d.fake.channelMessages(NEWS).length;
    expect(await d.core.digests.runNow(`discord:${NEWS}`)).toBe('queued');
    const posted = await waitFor(() =>
      d.fake
        .channelMessages(NEWS)
        .slice(before)
        .find((m) => m.embeds?.length),
    );
    const embeds = posted.embeds as Array<{ title: string; description: string }>;
    expect(embeds.map((e) => e.title)).toEqual(['申城早报']);
    expect(embeds[0]!.description).toContain('地铁新线开通');
    expect(embeds[0]!.description).not.toContain('体育');
    expect(embeds[0]!.description).not.toContain('旅客');
  });

  it('a muted instant feed posts nothing; unmuted, it posts again', async () => {
    d.site.route('/hk.xml', {
      body: rss('香港新聞', [
        ...hkItems,
        { title: '山頂纜車延長服務', link: 'https://hk.example.com/2.htm' },
      ]),
      contentType: 'application/rss+xml',
    });
    const before = d.fake.channelMessages(NEWS).length;
    await d.core.ingest.fetchById(hkId);
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.fake.channelMessages(NEWS).slice(before)).toEqual([]);

    expect(await say('unmute', [channel(NEWS), str('source', hkId)], 'zh-CN')).toBe(
      t('zh-Hans', 'mute.undone', { name: '香港新聞' }),
    );
    d.site.route('/hk.xml', {
      body: rss('香港新聞', [...hkItems, { title: '維港煙花匯演', link: 'https://hk.example.com/3.htm' }]),
      contentType: 'application/rss+xml',
    });
    await d.core.ingest.fetchById(hkId);
    const posted = await waitFor(() =>
      d.fake
        .channelMessages(NEWS)
        .slice(before)
        .find((m) => m.embeds?.length),
    );
    expect((posted.embeds as Array<{ title: string }>).map((e) => e.title)).toEqual(['維港煙花匯演']);
  });

  it('answers bad input with one sentence in the member’s language, changing nothing', async () => {
    const before = await chat(NEWS);
    const cases: Array<[string, Locale]> = [
      ['zh-CN', 'zh-Hans'],
      ['zh-TW', 'zh-Hant'],
      ['en-US', 'en'],
    ];
    for (const [discordLocale, l] of cases) {
      const ask = (sub: string, options: Option[]) => say(sub, options, discordLocale);
      const missing = t(l, 'feed.missing', { source: '不存在', channel: `<#${NEWS}>` });
      expect(await ask('filter', [channel(NEWS), str('source', '不存在'), str('exclude', 'x')])).toBe(
        missing,
      );
      expect(await ask('mute', [channel(NEWS), str('source', '不存在')])).toBe(missing);
      expect(await ask('rename', [channel(NEWS), str('source', '不存在'), str('name', 'x')])).toBe(missing);
      const invalidWord = t(l, 'filter.invalid', { max: 50 });
      expect(await ask('filter', [channel(NEWS), str('include', '\u200B\u202E')])).toBe(invalidWord);
      expect(await ask('filter', [channel(NEWS), str('source', shId), str('exclude', '长'.repeat(51))])).toBe(
        invalidWord,
      );
      const invalidName = t(l, 'rename.invalid', { max: 40 });
      expect(await ask('rename', [channel(NEWS), str('source', shId), str('name', '-申城')])).toBe(
        invalidName,
      );
      expect(await ask('rename', [channel(NEWS), str('source', shId), str('name', '\u2066\u2069')])).toBe(
        invalidName,
      );
      expect(await ask('rename', [channel(NEWS), str('source', shId), str('name', '香港新聞')])).toBe(
        t(l, 'rename.taken', { name: '香港新聞' }),
      );
      expect(await ask('filter', [channel(VOICE), str('exclude', 'x')])).toBe(t(l, 'feed.notTextChannel'));
      const refused = await feed('mute', [channel(NEWS), str('source', shId)], {
        locale: discordLocale,
        permissions: SEND_ONLY,
      });
      expect(refused.data).toMatchObject({ flags: 64, content: t(l, 'admin.manageChannels') });
    }
    expect(await chat(NEWS)).toEqual(before);
    expect(await d.core.chats.get(`discord:${VOICE}`)).toBeNull();
  });
});
