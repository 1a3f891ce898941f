/**
 * Discord channel feeds end to end: /feed add|remove|list and /settings with their permission
 * checks, and the Discord PlatformSender posting to channels (limits, no pings, errors that pause a
 * feed and tell the admins, 429s), against the fake Discord and a real core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/index.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import { ChatStore } from '../../src/store/chat-store.ts';
import {
  type FakeDiscord,
  type InteractInput,
  type InteractionResponse,
  startFakeDiscord,
} from '../fakes/discord-api.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

const GUILD = '920000000000000001';
const NEWS = '920000000000000010';
const FORUM = '920000000000000012';
const THREAD = '920000000000000013';
const VOICE = '920000000000000014';
const GONE = '920000000000000015';
const DENIED = '920000000000000016';
const OWNER = '120000000000000001';
const MANAGE_CHANNELS = String(1n << 4n);
const SEND_ONLY = String(1n << 11n);

let fake: FakeDiscord;
let site: NewsSite;
let t: TestCore;
let adapter: DiscordAdapter;
let chats: ChatStore;
let sourceUrl = '';

async function run(input: Partial<InteractInput>): Promise<InteractionResponse> {
  const { token } = fake.interact({ type: 2, guildId: GUILD, channelId: NEWS, locale: 'en-US', ...input });
  return waitFor(() => {
    const last = fake.interactionResponses(token).at(-1);
    return last && !(last.kind === 'callback' && last.type === 5) ? last : null;
  }, 10_000);
}

const CHANNEL_TYPES: Record<string, number> = { [NEWS]: 0, [FORUM]: 15, [THREAD]: 11, [VOICE]: 2 };

/** /feed <sub> with Discord's `resolved.channels` for channel options, as Discord sends them. */
const feed = (
  sub: string,
  options: NonNullable<InteractInput['options']> = [],
  extra: Partial<InteractInput> = {},
) => {
  const channels = Object.fromEntries(
    options
      .filter((o) => o.type === 7)
      .map((o) => {
        const id = String(o.value);
        const type = CHANNEL_TYPES[id] ?? 0;
        const thread =
          type === 11
            ? {
                parent_id: NEWS,
                thread_metadata: {
                  archived: false,
                  locked: false,
                  auto_archive_duration: 1440,
                  archive_timestamp: new Date().toISOString(),
                },
              }
            : {};
        return [id, { id, type, name: `c${id.slice(-2)}`, permissions: '2251799813685247', ...thread }];
      }),
  );
  return run({
    name: 'feed',
    options: [{ name: sub, type: 1, options }],
    permissions: MANAGE_CHANNELS,
    ...(Object.keys(channels).length ? { resolved: { channels } } : {}),
    ...extra,
  });
};

function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    kind: 'digest',
    locale: 'en',
    heading: 'Digest 2025-06-01 08:00',
    groups: [
      {
        sourceName: '上海日报',
        items: Array.from({ length: 30 }, (_, n) => ({
          articleId: `a${n}`,
          title: `**第${n}条** @everyone <@123> ${'长'.repeat(150)}`,
          url: `https://sh.example.cn/${n}.htm`,
          sourceName: '上海日报',
          publishedAt: new Date(Date.now() - n * 60_000).toISOString(),
          alsoReportedBy: n === 0 ? ['香港新聞'] : [],
        })),
      },
    ],
    threadId: null,
    timezone: 'Asia/Hong_Kong',
    ...over,
  };
}

beforeAll(async () => {
  fake = await startFakeDiscord({ heartbeatIntervalMs: 1000 });
  fake.addGuild({
    id: GUILD,
    name: '頻道測試',
    preferredLocale: 'zh-TW',
    ownerId: OWNER,
    channels: [
      { id: NEWS, name: 'news', type: 0 },
      { id: FORUM, name: 'forum', type: 15 },
      { id: THREAD, name: 'thread', type: 11, parent_id: NEWS },
      { id: VOICE, name: 'voice', type: 2 },
      { id: GONE, name: 'gone', type: 0 },
      { id: DENIED, name: 'denied', type: 0 },
    ],
    roles: [{ id: '920000000000000100', name: 'bots', permissions: '8' }],
    members: [
      { user: { id: OWNER, username: 'owner' } },
      // the bot needs Create Public Threads for forums: give it the admin role
      { user: { id: fake.applicationId, username: 'newsrelay', bot: true }, roles: ['920000000000000100'] },
    ],
  });
  site = await startNewsSite();
  site.route('/sh.xml', {
    body: rss('上海日报', [
      { title: '地铁新线开通', link: 'https://sh.example.cn/1.htm', pubDate: hoursAgo(1) },
    ]),
    contentType: 'application/rss+xml',
  });
  site.route('/hk.xml', {
    body: rss('香港新聞', [
      { title: '天星小輪加班', link: 'https://hk.example.com/1.htm', pubDate: hoursAgo(1) },
    ]),
    contentType: 'application/rss+xml',
  });
  sourceUrl = `${site.url}/hk.xml`;
  t = await createTestCore({
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: `${fake.url}/api`,
  });
  await t.core.sourceService.add(`${site.url}/sh.xml`);
  chats = new ChatStore(t.core.db.models);
  adapter = createDiscordAdapter({ config: t.config, core: t.core, chats });
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
  await site?.close();
  await t?.cleanup();
});

describe('/feed and /settings', () => {
  it('refuses members without Manage Channels or Manage Server', async () => {
    for (const r of [
      await feed(
        'add',
        [
          { name: 'channel', type: 7, value: NEWS },
          { name: 'source', type: 3, value: '上海日报' },
        ],
        {
          permissions: SEND_ONLY,
        },
      ),
      await feed('list', [], { permissions: SEND_ONLY, locale: 'zh-CN' }),
      await run({ name: 'settings', permissions: SEND_ONLY, locale: 'zh-TW' }),
    ]) {
      expect(r.data.flags).toBe(64);
    }
    const last = fake.rest.filter((r) => r.path.includes('/callback')).at(-1)?.body as {
      data: { content: string };
    };
    expect(last.data.content).toContain('管理頻道');
    expect(await chats.get(`discord:${NEWS}`)).toBeNull();
  });

  it('/feed add attaches an existing source, or a feed URL added on the spot, to text channels, threads and forums', async () => {
    const a = await feed('add', [
      { name: 'channel', type: 7, value: NEWS },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(a.data).toMatchObject({ flags: 64, content: `Added “上海日报” to <#${NEWS}> (instant).` });
    const manageGuild = String(1n << 5n);
    const b = await feed(
      'add',
      [
        { name: 'channel', type: 7, value: THREAD },
        { name: 'source', type: 3, value: sourceUrl },
        { name: 'mode', type: 3, value: 'digest' },
      ],
      { permissions: manageGuild },
    );
    expect(b.data.content).toContain('(digest');
    const c = await feed('add', [
      { name: 'channel', type: 7, value: FORUM },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(c.data.content).toContain('Added');
    const news = await chats.get(`discord:${NEWS}`);
    expect(news).toMatchObject({
      platform: 'discord',
      type: 'guild-channel',
      parentKey: `discord:${GUILD}`,
      script: 'hant-tw',
    });
    expect(news?.subscriptions).toHaveLength(1);
    expect(news?.subscriptions[0]?.instant).toBe(true);
    const src = await t.core.sources.find('上海日报');
    expect(await chats.instantChats(src!.id)).toEqual(
      expect.arrayContaining([`discord:${NEWS}`, `discord:${FORUM}`]),
    );
    const thread = await chats.get(`discord:${THREAD}`);
    expect(thread?.subscriptions[0]).toMatchObject({ instant: false });
    const again = await feed('add', [
      { name: 'channel', type: 7, value: NEWS },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(again.data.content).toContain('already follows');
  });

  it('defers when the answer takes longer (a slow feed URL) and edits the answer in, inside the 3 s window', async () => {
    site.route('/slow.xml', {
      body: rss('慢新聞', [
        { title: '慢慢來', link: 'https://slow.example.com/1.htm', pubDate: hoursAgo(1) },
      ]),
      contentType: 'application/rss+xml',
      delayMs: 2500,
    });
    const start = Date.now();
    const last = await feed('add', [
      { name: 'channel', type: 7, value: NEWS },
      { name: 'source', type: 3, value: `${site.url}/slow.xml` },
    ]);
    expect(last.kind).toBe('edit');
    expect(last.data.content).toContain('Added “慢新聞”');
    const all = fake.rest.filter((r) => r.path.includes('/callback')).at(-1);
    expect(all?.body).toMatchObject({ type: 5, data: { flags: 64 } });
    expect((all?.at ?? 0) - start).toBeLessThan(3000);
  });

  it('/feed add refuses voice channels and unknown sources', async () => {
    const v = await feed('add', [
      { name: 'channel', type: 7, value: VOICE },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(v.data.content).toContain('only to text channels');
    const u = await feed('add', [
      { name: 'channel', type: 7, value: NEWS },
      { name: 'source', type: 3, value: 'nothing-like-this' },
    ]);
    expect(u.data.content).toBe('No source matches “nothing-like-this”.');
  });

  it('/feed list and /feed remove', async () => {
    const list = await feed('list');
    const d = list.data.embeds[0].description as string;
    expect(d).toContain(`<#${NEWS}>: 上海日报 (instant)`);
    expect(d).toContain(`<#${THREAD}>: 香港新聞 (digest`);
    const r = await feed('remove', [
      { name: 'channel', type: 7, value: FORUM },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(r.data.content).toBe(`Removed “上海日报” from <#${FORUM}>.`);
    expect((await chats.get(`discord:${FORUM}`))?.subscriptions).toHaveLength(0);
    const r2 = await feed('remove', [
      { name: 'channel', type: 7, value: FORUM },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(r2.data.content).toContain('does not follow');
  });

  it('/settings shows and sets the guild language, script, time zone and digest times for every channel', async () => {
    const show = await run({ name: 'settings', permissions: MANAGE_CHANNELS });
    expect(show.data.content).toContain('script hant-tw');
    const bad = await run({
      name: 'settings',
      permissions: MANAGE_CHANNELS,
      options: [{ name: 'timezone', type: 3, value: 'Mars/Base' }],
    });
    expect(bad.data.content).toBe('“Mars/Base” is not a time zone (e.g. Asia/Shanghai).');
    const set = await run({
      name: 'settings',
      permissions: MANAGE_CHANNELS,
      options: [
        { name: 'language', type: 3, value: 'zh-Hant' },
        { name: 'script', type: 3, value: 'hant-hk' },
        { name: 'timezone', type: 3, value: 'Asia/Hong_Kong' },
        { name: 'digest_times', type: 3, value: '18:30, 8:00' },
      ],
    });
    expect(set.data.content).toContain('Saved');
    for (const key of [`discord:${GUILD}`, `discord:${NEWS}`, `discord:${THREAD}`]) {
      expect(await chats.get(key)).toMatchObject({
        locale: 'zh-Hant',
        script: 'hant-hk',
        timezone: 'Asia/Hong_Kong',
        digestTimes: ['08:00', '18:30'],
      });
    }
    const { token } = fake.interact({
      type: 4,
      name: 'settings',
      guildId: GUILD,
      channelId: NEWS,
      options: [{ name: 'timezone', type: 3, value: 'hong', focused: true }],
    });
    const auto = await waitFor(() => fake.interactionResponses(token)[0]);
    expect(auto.data.choices).toContainEqual({ name: 'Asia/Hong_Kong', value: 'Asia/Hong_Kong' });
  });
});

describe('Discord sender (channel posting)', () => {
  const chatOf = async (id: string): Promise<Chat> => {
    await chats.ensure({
      platform: 'discord',
      chatId: id,
      type: 'guild-channel',
      parentKey: `discord:${GUILD}`,
      locale: 'en',
      timezone: 'UTC',
    });
    return (await chats.get(`discord:${id}`))!;
  };

  it('splits a digest into messages within Discord limits; titles cannot ping or inject markdown', async () => {
    const chat = await chatOf(NEWS);
    const msg = message();
    const parts = adapter.sender.partCount(chat, msg);
    expect(parts).toBeGreaterThan(1);
    for (let p = 0; p < parts; p++) await adapter.sender.sendPart(chat, msg, p);
    const posts = fake.restTo('POST', new RegExp(`^/channels/${NEWS}/messages$`));
    expect(posts).toHaveLength(parts);
    expect(posts.every((p) => p.status === 200)).toBe(true);
    const stored = fake.channelMessages(NEWS);
    expect(stored.every((m) => JSON.stringify(m.allowed_mentions) === '{"parse":[]}')).toBe(true);
    const text = stored
      .flatMap((m) => m.embeds ?? [])
      .map((e) => e.description)
      .join('\n');
    expect(text).toContain('\\*\\*第0条\\*\\* @everyone \\<@123>');
    expect(text).toContain('(+香港新聞)');
    expect(text.match(/\]\(https:\/\/sh\.example\.cn\/\d+\.htm\)/g)).toHaveLength(30);
    expect(stored[0]?.content).toBe('Digest 2025-06-01 08:00');
  });

  it('a deleted channel pauses the feed (permanent, no retry) and tells the owner once', async () => {
    const chat = await chatOf(GONE);
    await chats.update(chat.key, (c) => {
      c.subscriptions.push({
        id: 's1',
        kind: 'source',
        sourceId: 'x',
        keyword: null,
        instant: true,
        threadId: null,
        createdAt: new Date(),
      });
    });
    fake.deleteChannel(GONE);
    const before = fake.restTo('POST', new RegExp(`^/channels/${GONE}/messages$`)).length;
    const err = await adapter.sender.sendPart(chat, message({ kind: 'instant' }), 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).permanent).toBe(true);
    expect((err as DeliveryError).message).toContain('10003');
    expect((err as DeliveryError).message).not.toContain(fake.token);
    expect(fake.restTo('POST', new RegExp(`^/channels/${GONE}/messages$`)).length - before).toBe(1);
    const paused = await chats.get(chat.key);
    expect(paused).toMatchObject({ active: false, deactivatedReason: 'channel_deleted' });
    const src = await waitFor(() => fake.restTo('POST', /^\/users\/@me\/channels$/).at(-1));
    expect(src.body).toMatchObject({ recipient_id: OWNER });
    const dm =
      src.status === 200
        ? await waitFor(() =>
            fake.rest
              .filter(
                (r) =>
                  r.method === 'POST' &&
                  /^\/channels\/\d+\/messages$/.test(r.path) &&
                  JSON.stringify(r.body).includes('paused'),
              )
              .at(-1),
          )
        : null;
    expect(JSON.stringify(dm?.body)).toContain(`<#${GONE}>`);
    // a second failure does not tell again
    const dms = fake.restTo('POST', /^\/users\/@me\/channels$/).length;
    await adapter.sender.sendPart(chat, message({ kind: 'instant' }), 0).catch(() => {});
    expect(fake.restTo('POST', /^\/users\/@me\/channels$/).length).toBe(dms);
  });

  it('a missing permission is permanent too; 5xx is retryable; a long 429 reports retryAfterMs', async () => {
    const chat = await chatOf(DENIED);
    fake.denyChannel(DENIED);
    const denied = (await adapter.sender
      .sendPart(chat, message(), 0)
      .catch((e: unknown) => e)) as DeliveryError;
    expect(denied.permanent).toBe(true);
    expect((await chats.get(chat.key))?.deactivatedReason).toBe('missing_permissions');

    const news = await chatOf(NEWS);
    const re = new RegExp(`^/channels/${NEWS}/messages$`);
    fake.failNext('POST', re, { status: 502 }, 4);
    const e5 = (await adapter.sender.sendPart(news, message(), 0).catch((e: unknown) => e)) as DeliveryError;
    expect(e5).toBeInstanceOf(DeliveryError);
    expect(e5.permanent).toBe(false);
    expect(e5.retryAfterMs).toBeUndefined();

    fake.failNext('POST', re, { status: 429, retryAfter: 30 });
    const e429 = (await adapter.sender
      .sendPart(news, message(), 0)
      .catch((e: unknown) => e)) as DeliveryError;
    expect(e429.permanent).toBe(false);
    expect(e429.retryAfterMs).toBeGreaterThanOrEqual(29_000);

    // discord.js now holds that route's bucket for 30 s: the next send is refused at once, not sent
    const posts = fake.restTo('POST', re).length;
    const held = (await adapter.sender
      .sendPart(news, message(), 0)
      .catch((e: unknown) => e)) as DeliveryError;
    expect(held.retryAfterMs).toBeGreaterThan(20_000);
    expect(fake.restTo('POST', re).length).toBe(posts);
  }, 20_000);
});
