/**
 * Discord channel feeds end to end: /feed add|remove|list and /settings with their permission
 * checks, and the Discord PlatformSender posting to channels (limits, no pings, errors that pause a
 * feed and tell the admins, 429s), against the fake Discord and a real core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import type { InteractInput, InteractionResponse } from '../fakes/discord-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { type DiscordStack, startDiscordStack } from './discord-harness.ts';

const GUILD = '920000000000000001';
const NEWS = '920000000000000010';
const FORUM = '920000000000000012';
const THREAD = '920000000000000013';
const VOICE = '920000000000000014';
const GONE = '920000000000000015';
const DENIED = '920000000000000016';
const OTHER = '920000000000000017';
const OWNER = '120000000000000001';
const MANAGE_CHANNELS = String(1n << 4n);
const SEND_ONLY = String(1n << 11n);

let d: DiscordStack;
let sourceUrl = '';

async function run(input: Partial<InteractInput>): Promise<InteractionResponse> {
  return (await d.interact({ locale: 'en-US', ...input })).last;
}

const CHANNEL_TYPES: Record<string, number> = { [NEWS]: 0, [FORUM]: 15, [THREAD]: 11, [VOICE]: 2 };

/**
 * /feed <sub> with Discord's `resolved.channels` for channel options, as Discord sends them: each
 * resolved channel carries the member's permissions in that channel — the member's `permissions`
 * unless `channelPermissions` gives others for a channel.
 */
const feed = (
  sub: string,
  options: NonNullable<InteractInput['options']> = [],
  extra: Partial<InteractInput> & { channelPermissions?: Record<string, string> } = {},
) => {
  const { channelPermissions = {}, ...rest } = extra;
  const memberPermissions = rest.permissions ?? MANAGE_CHANNELS;
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
        const permissions = channelPermissions[id] ?? memberPermissions;
        return [id, { id, type, name: `c${id.slice(-2)}`, permissions, ...thread }];
      }),
  );
  return run({
    name: 'feed',
    options: [{ name: sub, type: 1, options }],
    permissions: memberPermissions,
    ...(Object.keys(channels).length ? { resolved: { channels } } : {}),
    ...rest,
  });
};

const chats = () => d.core.chats;

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
  d = await startDiscordStack({
    guild: (fake) => ({
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
        { id: OTHER, name: 'other', type: 0 },
      ],
      roles: [{ id: '920000000000000100', name: 'bots', permissions: '8' }],
      members: [
        { user: { id: OWNER, username: 'owner' } },
        // the bot needs Create Public Threads for forums: give it the admin role
        { user: { id: fake.applicationId, username: 'newsrelay', bot: true }, roles: ['920000000000000100'] },
      ],
    }),
    channelId: NEWS,
    locale: 'en-US',
    feeds: [
      {
        path: '/sh.xml',
        body: rss('上海日报', [
          { title: '地铁新线开通', link: 'https://sh.example.cn/1.htm', pubDate: hoursAgo(1) },
        ]),
      },
    ],
  });
  d.site.route('/hk.xml', {
    body: rss('香港新聞', [
      { title: '天星小輪加班', link: 'https://hk.example.com/1.htm', pubDate: hoursAgo(1) },
    ]),
    contentType: 'application/rss+xml',
  });
  sourceUrl = `${d.site.url}/hk.xml`;
});

afterAll(async () => {
  await d?.close();
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
    const last = d.fake.rest.filter((r) => r.path.includes('/callback')).at(-1)?.body as {
      data: { content: string };
    };
    expect(last.data.content).toContain('管理頻道');
    expect(await chats().get(`discord:${NEWS}`)).toBeNull();
  });

  it('checks Manage Channels in the channel /feed changes, not where the command is typed', async () => {
    const add = (channelPermissions: Record<string, string>, permissions: string) =>
      feed(
        'add',
        [
          { name: 'channel', type: 7, value: DENIED },
          { name: 'source', type: 3, value: '上海日报' },
        ],
        { permissions, channelPermissions },
      );
    // May manage the channel the command is typed in, not the target: refused, nothing stored.
    const refused = await add({ [DENIED]: SEND_ONLY }, MANAGE_CHANNELS);
    expect(refused.data.content).toBe('Only members with Manage Channels or Manage Server can do this.');
    expect(await chats().get(`discord:${DENIED}`)).toBeNull();
    // May manage the target only (a channel overwrite): allowed.
    const allowed = await add({ [DENIED]: MANAGE_CHANNELS }, SEND_ONLY);
    expect(allowed.data.content).toContain('Added “上海日报”');
    await feed('remove', [
      { name: 'channel', type: 7, value: DENIED },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
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
    const news = await chats().get(`discord:${NEWS}`);
    expect(news).toMatchObject({
      platform: 'discord',
      type: 'guild-channel',
      parentKey: `discord:${GUILD}`,
      script: 'hant-tw',
    });
    expect(news?.subscriptions).toHaveLength(1);
    expect(news?.subscriptions[0]?.instant).toBe(true);
    const src = await d.core.sources.find('上海日报');
    expect(await chats().instantChats(src!.id)).toEqual(
      expect.arrayContaining([`discord:${NEWS}`, `discord:${FORUM}`]),
    );
    const thread = await chats().get(`discord:${THREAD}`);
    expect(thread?.subscriptions[0]).toMatchObject({ instant: false });
    const again = await feed('add', [
      { name: 'channel', type: 7, value: NEWS },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(again.data.content).toContain('already follows');
  });

  it('defers when the answer takes longer (a slow feed URL) and edits the answer in, inside the 3 s window', async () => {
    d.site.route('/slow.xml', {
      body: rss('慢新聞', [
        { title: '慢慢來', link: 'https://slow.example.com/1.htm', pubDate: hoursAgo(1) },
      ]),
      contentType: 'application/rss+xml',
      delayMs: 2500,
    });
    const start = Date.now();
    const last = await feed('add', [
      { name: 'channel', type: 7, value: NEWS },
      { name: 'source', type: 3, value: `${d.site.url}/slow.xml` },
    ]);
    expect(last.kind).toBe('edit');
    expect(last.data.content).toContain('Added “慢新聞”');
    const all = d.fake.rest.filter((r) => r.path.includes('/callback')).at(-1);
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
    const text = list.data.embeds[0].description as string;
    expect(text).toContain(`<#${NEWS}>: 上海日报 (instant)`);
    expect(text).toContain(`<#${THREAD}>: 香港新聞 (digest`);
    const r = await feed('remove', [
      { name: 'channel', type: 7, value: FORUM },
      { name: 'source', type: 3, value: '上海日报' },
    ]);
    expect(r.data.content).toBe(`Removed “上海日报” from <#${FORUM}>.`);
    expect((await chats().get(`discord:${FORUM}`))?.subscriptions).toHaveLength(0);
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
      expect(await chats().get(key)).toMatchObject({
        locale: 'zh-Hant',
        script: 'hant-hk',
        timezone: 'Asia/Hong_Kong',
        digestTimes: ['08:00', '18:30'],
      });
    }
    const { token } = d.fake.interact({
      type: 4,
      name: 'settings',
      guildId: GUILD,
      channelId: NEWS,
      options: [{ name: 'timezone', type: 3, value: 'hong', focused: true }],
    });
    const auto = await waitFor(() => d.fake.interactionResponses(token)[0]);
    expect(auto.data.choices).toContainEqual({ name: 'Asia/Hong_Kong', value: 'Asia/Hong_Kong' });
  });
});

describe('Discord sender (channel posting)', () => {
  const chatOf = async (id: string): Promise<Chat> =>
    chats().ensure({
      platform: 'discord',
      chatId: id,
      type: 'guild-channel',
      parentKey: `discord:${GUILD}`,
      locale: 'en',
      timezone: 'UTC',
    });

  it('splits a digest into messages within Discord limits; titles cannot ping or inject markdown', async () => {
    const chat = await chatOf(NEWS);
    const msg = message();
    const sender = d.adapter.sender;
    const parts = sender.partCount(chat, msg);
    expect(parts).toBeGreaterThan(1);
    const route = new RegExp(`^/channels/${NEWS}/messages$`);
    const before = d.fake.restTo('POST', route).length;
    const storedBefore = d.fake.channelMessages(NEWS).length;
    for (let p = 0; p < parts; p++) await sender.sendPart(chat, msg, p);
    const posts = d.fake.restTo('POST', route).slice(before);
    expect(posts).toHaveLength(parts);
    expect(posts.every((p) => p.status === 200)).toBe(true);
    const stored = d.fake.channelMessages(NEWS).slice(storedBefore);
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

  it('a deleted channel pauses its feeds through the delivery queue (no retry) and tells the owner once', async () => {
    const added = await feed('add', [
      { name: 'channel', type: 7, value: GONE },
      { name: 'source', type: 3, value: '上海日报' },
      { name: 'mode', type: 3, value: 'digest' },
    ]);
    expect(added.data.content).toContain('Added');
    const key = `discord:${GONE}`;
    d.fake.deleteChannel(GONE);
    const route = new RegExp(`^/channels/${GONE}/messages$`);
    const before = d.fake.restTo('POST', route).length;
    // /digest's path: build and record, then the deliver worker sends through the Discord sender.
    expect(await d.core.digests.runNow(key)).toBe('queued');
    const paused = await waitFor(async () => {
      const c = await chats().get(key);
      return c && !c.active ? c : undefined;
    }, 10_000);
    expect(paused.deactivatedReason).toBe('channel_deleted');
    const dmOpen = await waitFor(() => d.fake.restTo('POST', /^\/users\/@me\/channels$/).at(-1), 10_000);
    expect(dmOpen.body).toMatchObject({ recipient_id: OWNER });
    const dm = await waitFor(() =>
      d.fake.rest
        .filter(
          (r) =>
            r.method === 'POST' &&
            /^\/channels\/\d+\/messages$/.test(r.path) &&
            JSON.stringify(r.body).includes(`<#${GONE}>`),
        )
        .at(-1),
    );
    // in the guild's language (zh-TW)
    expect(JSON.stringify(dm.body)).toContain('已暫停');
    expect(JSON.stringify(dm.body)).not.toContain(d.fake.token);
    // Exactly one attempt: a gone channel is not retried.
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.fake.restTo('POST', route).length - before).toBe(1);
    // Another digest for the paused channel is not even attempted, and nobody is told twice.
    const dms = d.fake.restTo('POST', /^\/users\/@me\/channels$/).length;
    expect(await d.core.digests.runScheduled(key, Date.now())).toBe('skipped');
    await new Promise((r) => setTimeout(r, 500));
    expect(d.fake.restTo('POST', route).length - before).toBe(1);
    expect(d.fake.restTo('POST', /^\/users\/@me\/channels$/).length).toBe(dms);
    // /feed add again is how an admin resumes it (the fake keeps the channel deleted: the wish is recorded).
    const again = await feed('add', [
      { name: 'channel', type: 7, value: GONE },
      { name: 'source', type: 3, value: '上海日报' },
      { name: 'mode', type: 3, value: 'digest' },
    ]);
    expect(again.data.content).toContain('Added');
    expect((await chats().get(key))?.active).toBe(true);
  });

  it('a rejected message fails that delivery only: the channel stays active', async () => {
    await feed('add', [
      { name: 'channel', type: 7, value: OTHER },
      { name: 'source', type: 3, value: '上海日报' },
      { name: 'mode', type: 3, value: 'digest' },
    ]);
    const key = `discord:${OTHER}`;
    const route = new RegExp(`^/channels/${OTHER}/messages$`);
    d.fake.failNext('POST', route, { status: 400, code: 50035, message: 'Invalid Form Body' });
    const before = d.fake.restTo('POST', route).length;
    expect(await d.core.digests.runNow(key)).toBe('queued');
    await waitFor(() => d.fake.restTo('POST', route).length > before, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    // One attempt, no retries, and the channel keeps its feeds.
    expect(d.fake.restTo('POST', route).length - before).toBe(1);
    expect(await chats().get(key)).toMatchObject({ active: true, deactivatedReason: null });
  });

  it('translates Discord errors to delivery kinds: missing permission → chat_gone; 5xx → retry; a long 429 → rate_limited', async () => {
    const sender = d.adapter.sender;
    const chat = await chatOf(DENIED);
    d.fake.denyChannel(DENIED);
    const denied = (await sender.sendPart(chat, message(), 0).catch((e: unknown) => e)) as DeliveryError;
    expect(denied).toBeInstanceOf(DeliveryError);
    expect(denied.kind).toBe('chat_gone');
    expect(denied.reason).toBe('missing_permissions');
    expect(denied.message).not.toContain(d.fake.token);

    const news = await chatOf(NEWS);
    const re = new RegExp(`^/channels/${NEWS}/messages$`);
    d.fake.failNext('POST', re, { status: 502 }, 4);
    const e5 = (await sender.sendPart(news, message(), 0).catch((e: unknown) => e)) as DeliveryError;
    expect(e5).toBeInstanceOf(DeliveryError);
    expect(e5.kind).toBe('retry');
    expect(e5.retryAfterMs).toBeUndefined();

    d.fake.failNext('POST', re, { status: 429, retryAfter: 30 });
    const e429 = (await sender.sendPart(news, message(), 0).catch((e: unknown) => e)) as DeliveryError;
    expect(e429.kind).toBe('rate_limited');
    expect(e429.retryAfterMs).toBeGreaterThanOrEqual(29_000);

    // discord.js now holds that route's bucket for 30 s: the next send is refused at once, not sent
    const posts = d.fake.restTo('POST', re).length;
    const held = (await sender.sendPart(news, message(), 0).catch((e: unknown) => e)) as DeliveryError;
    expect(held.retryAfterMs).toBeGreaterThan(20_000);
    expect(d.fake.restTo('POST', re).length).toBe(posts);
  }, 20_000);
});
