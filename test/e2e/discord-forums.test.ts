/**
 * Discord forum channels end to end: `/feed add` a forum, and the service (real discord.js against
 * the fake Discord, real FerretDB + Redis) posts each instant item as a post titled with the item's
 * title and each digest as one post whose later parts reply in it — exactly once, across a restart
 * between parts, and with two digests of the same heading in posts of their own. A forum that
 * requires tags, or was deleted, pauses its feeds; a post deleted between parts ends that delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import type { InteractOption, Json, StoredMessage } from '../fakes/discord-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { cjkNoise } from '../helpers/cjk-noise.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { startTestService } from '../helpers/test-service.ts';
import { type DiscordStack, startDiscordStack } from './discord-harness.ts';

const GUILD = '930000000000000001';
const TEXT = '930000000000000010';
const INSTANT_FORUM = '930000000000000011';
const DIGEST_FORUM = '930000000000000012';
const TAGGED_FORUM = '930000000000000013';
const GONE_FORUM = '930000000000000014';
const SPARE_FORUM = '930000000000000015';
const OWNER = '130000000000000001';
const ADMIN_ROLE = '930000000000000100';
const MANAGE_CHANNELS = String(1n << 4n);
const REQUIRE_TAG = 1 << 4;

let d: DiscordStack;
const core = () => d.app!.core;
const posts = (forum: string) => d.fake.threadsIn(forum);
const threadCreates = (forum: string) => d.fake.restTo('POST', new RegExp(`^/channels/${forum}/threads$`));

/** `count` items with long, unrelated titles (a digest of them needs more than one Discord message). */
const items = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, n) => ({
    title: `${prefix}第${n}条：${cjkNoise(prefix.codePointAt(0)! * 100 + n, 160)}`,
    link: `https://news.example.cn/${prefix}/${n}.htm`,
    pubDate: hoursAgo(n / 60),
  }));

const addFeed = async (channel: string, source: string, mode?: 'digest' | 'instant') => {
  const options: InteractOption[] = [
    { name: 'channel', type: 7, value: channel },
    { name: 'source', type: 3, value: source },
    ...(mode ? [{ name: 'mode', type: 3, value: mode }] : []),
  ];
  const res = await d.interact({
    name: 'feed',
    options: [{ name: 'add', type: 1, options }],
    permissions: MANAGE_CHANNELS,
    resolved: {
      channels: { [channel]: { id: channel, type: 15, name: 'forum', permissions: MANAGE_CHANNELS } },
    },
  });
  expect(res.last.data.content).toContain('Added');
};

/** Text of a stored message's embeds. */
const embedText = (m: StoredMessage | undefined) =>
  (m?.embeds ?? []).map((e: Json) => `${e.title ?? ''}\n${e.description ?? ''}`).join('\n');

/** Wait until no delivery is running or waiting. */
const settle = async () => {
  const q = d.app!.service.ports.deliveries;
  await waitFor(
    async () => {
      const counts = await q.queue('discord').getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    },
    20_000,
    { message: 'deliveries did not settle' },
  );
};

beforeAll(async () => {
  d = await startDiscordStack({
    guild: (fake) => ({
      id: GUILD,
      name: 'Forum guild',
      preferredLocale: 'zh-TW',
      ownerId: OWNER,
      channels: [
        { id: TEXT, name: 'news', type: 0 },
        { id: INSTANT_FORUM, name: 'instant', type: 15 },
        { id: DIGEST_FORUM, name: 'digests', type: 15 },
        {
          id: TAGGED_FORUM,
          name: 'tagged',
          type: 15,
          flags: REQUIRE_TAG,
          available_tags: [{ id: '930000000000000200', name: '新聞' }],
        },
        { id: GONE_FORUM, name: 'gone', type: 15 },
        { id: SPARE_FORUM, name: 'spare', type: 15 },
      ],
      roles: [{ id: ADMIN_ROLE, name: 'bots', permissions: '8' }],
      members: [
        { user: { id: OWNER, username: 'owner' } },
        { user: { id: fake.applicationId, username: 'newsrelay', bot: true }, roles: [ADMIN_ROLE] },
      ],
    }),
    channelId: TEXT,
    locale: 'en-US',
    feeds: [
      { path: '/instant.xml', body: rss('即时新闻', items('旧', 1)) },
      { path: '/digest.xml', body: rss('摘要新闻', items('甲', 30)) },
    ],
  });
}, 60_000);

afterAll(async () => {
  await d?.close();
});

describe('the fake Discord starts forum posts as Discord does', () => {
  const post = (forum: string, body: unknown) =>
    fetch(`${d.fake.url}/api/v10/channels/${forum}/threads`, {
      method: 'POST',
      headers: { authorization: `Bot ${d.fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));

  it('needs a name of at most 100 characters and a message; answers the thread with its starter message', async () => {
    const long = await post(SPARE_FORUM, { name: '長'.repeat(101), message: { content: 'x' } });
    expect(long.status).toBe(400);
    expect(long.body.errors.name._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
    const bare = await post(SPARE_FORUM, { name: 'no message' });
    expect(bare.body.errors.message._errors[0].code).toBe('BASE_TYPE_REQUIRED');
    const empty = await post(SPARE_FORUM, { name: 'empty', message: { content: '' } });
    expect(empty.body.code).toBe(50006);
    const tagged = await post(TAGGED_FORUM, { name: 'untagged', message: { content: 'x' } });
    expect(tagged.body.code).toBe(40067);
    const badTag = await post(TAGGED_FORUM, { name: 't', message: { content: 'x' }, applied_tags: ['1'] });
    expect(badTag.status).toBe(400);
    const ok = await post(TAGGED_FORUM, {
      name: '長'.repeat(100),
      message: { content: 'hello' },
      applied_tags: ['930000000000000200'],
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      type: 11,
      parent_id: TAGGED_FORUM,
      applied_tags: ['930000000000000200'],
    });
    expect(ok.body.message).toMatchObject({ id: ok.body.id, channel_id: ok.body.id, content: 'hello' });
    expect(posts(TAGGED_FORUM).map((p) => p.messages.length)).toEqual([1]);
  });
});

describe('feeds posting to forums', () => {
  it('an instant item becomes one post titled with the item’s title (cut to 100 characters), exactly once', async () => {
    await addFeed(INSTANT_FORUM, '即时新闻');
    const fresh = [
      { title: `深圳地铁新线开通 ${'全线共设站点十余座'.repeat(12)}`, link: 'https://sz.example.cn/1.htm' },
    ];
    d.site.route('/instant.xml', {
      body: rss('即时新闻', [...fresh, ...items('旧', 1)]),
      contentType: 'application/rss+xml',
    });
    await core().ingest.fetchById(d.sourceIds.get('/instant.xml')!);
    const [post] = await waitFor(
      () => (posts(INSTANT_FORUM).length > 0 ? posts(INSTANT_FORUM) : null),
      10_000,
    );
    expect([...post!.channel.name]).toHaveLength(100);
    expect(post!.channel.name.startsWith('深圳地鐵新線開通 全線')).toBe(true); // the guild reads zh-TW
    expect(post!.messages[0]?.id).toBe(post!.channel.id);
    expect(embedText(post!.messages[0])).toContain('深圳地鐵新線開通');
    expect(post!.messages[0]?.allowed_mentions).toEqual({ parse: [] });
    await settle();
    expect(posts(INSTANT_FORUM)).toHaveLength(1);
    expect(threadCreates(INSTANT_FORUM)).toHaveLength(1);
    expect(d.fake.restTo('POST', new RegExp(`^/channels/${INSTANT_FORUM}/messages$`))).toHaveLength(0);
  });

  it('a digest is one post; its later parts reply in it, also after a restart (Redis wiped) between parts', async () => {
    await addFeed(DIGEST_FORUM, '摘要新闻', 'digest');
    const key = `discord:${DIGEST_FORUM}`;
    // Replies in posts fail until the service is down: part 0 opens the post, part 1 waits.
    d.fake.failNext('POST', /^\/channels\/\d+\/messages$/, { status: 502 }, 1000);
    expect(await core().digests.runNow(key)).toBe('queued');
    const [post] = await waitFor(() => (posts(DIGEST_FORUM).length > 0 ? posts(DIGEST_FORUM) : null), 10_000);
    expect(post!.channel.name).toMatch(/^NewsRelay 摘要 · \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const thread = post!.channel.id as string;
    await waitFor(
      () => d.fake.restTo('POST', new RegExp(`^/channels/${thread}/messages$`)).length > 0,
      10_000,
    );
    await d.app!.stop();
    d.fake.clearFailures();
    await d.app!.wipeRedis();
    await d.app!.start();
    await waitFor(() => d.app!.service.discord?.client.isReady(), 15_000);
    const done = await waitFor(() => {
      const p = posts(DIGEST_FORUM)[0];
      return p && p.messages.length >= 2 ? p : null;
    }, 20_000);
    await settle();
    expect(posts(DIGEST_FORUM)).toHaveLength(1);
    expect(threadCreates(DIGEST_FORUM).filter((r) => r.status === 201)).toHaveLength(1);
    expect(done.messages).toHaveLength(2);
    expect(`${embedText(done.messages[0])}${embedText(done.messages[1])}`.match(/甲第\d+條/g)).toHaveLength(
      30,
    );
  }, 60_000);

  it('two digests with the same heading get a post each, each with its own parts', async () => {
    const key = `discord:${DIGEST_FORUM}`;
    const before = posts(DIGEST_FORUM).length;
    // Two digests in the same minute have the same heading: start early in a minute.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 40_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    d.site.route('/digest.xml', {
      body: rss('摘要新闻', items('乙', 30)),
      contentType: 'application/rss+xml',
    });
    await core().ingest.fetchById(d.sourceIds.get('/digest.xml')!);
    expect(await core().digests.runNow(key)).toBe('queued');
    d.site.route('/digest.xml', {
      body: rss('摘要新闻', items('丙', 30)),
      contentType: 'application/rss+xml',
    });
    await core().ingest.fetchById(d.sourceIds.get('/digest.xml')!);
    expect(await core().digests.runNow(key)).toBe('queued');
    await waitFor(() => posts(DIGEST_FORUM).length === before + 2 || null, 15_000);
    await settle();
    const [first, second] = posts(DIGEST_FORUM).slice(before);
    expect(first!.channel.name).toBe(second!.channel.name);
    // Which post opened first depends on the workers; each holds exactly one digest, whole.
    const batches = [first!, second!].map((post) => {
      expect(post.messages).toHaveLength(2);
      const text = post.messages.map(embedText).join('\n');
      const items = [...text.matchAll(/(乙|丙)第\d+條/g)].map((m) => m[1]);
      expect(items).toHaveLength(30);
      expect(new Set(items).size).toBe(1);
      return items[0];
    });
    expect(batches.sort()).toEqual(['丙', '乙'].sort());
  }, 90_000);

  it('a forum that requires tags pauses its feeds and tells the owner why, in the guild’s language', async () => {
    await addFeed(TAGGED_FORUM, '摘要新闻', 'digest');
    const key = `discord:${TAGGED_FORUM}`;
    const attempts = threadCreates(TAGGED_FORUM).length;
    expect(await core().digests.runNow(key)).toBe('queued');
    const paused = await waitFor(async () => {
      const c = await core().chats.get(key);
      return c && !c.active ? c : null;
    }, 10_000);
    expect(paused.deactivatedReason).toBe('tag_required');
    const notice = await waitFor(() =>
      d.fake.rest.find(
        (r) =>
          r.method === 'POST' &&
          /^\/channels\/\d+\/messages$/.test(r.path) &&
          JSON.stringify(r.body ?? '').includes(`<#${TAGGED_FORUM}>`),
      ),
    );
    expect(JSON.stringify(notice.body)).toContain('該論壇要求每篇貼文都加上標籤');
    await settle();
    expect(threadCreates(TAGGED_FORUM).length - attempts).toBe(1);
  });

  it('a deleted forum pauses its feeds', async () => {
    await addFeed(GONE_FORUM, '摘要新闻', 'digest');
    d.fake.deleteChannel(GONE_FORUM);
    expect(await core().digests.runNow(`discord:${GONE_FORUM}`)).toBe('queued');
    const paused = await waitFor(async () => {
      const c = await core().chats.get(`discord:${GONE_FORUM}`);
      return c && !c.active ? c : null;
    }, 10_000);
    expect(paused.deactivatedReason).toBe('channel_deleted');
  });

  it('a post deleted between parts ends that delivery only; the forum keeps its feeds', async () => {
    const chat: Chat = await core().chats.ensure({
      platform: 'discord',
      chatId: SPARE_FORUM,
      type: 'guild-channel',
      parentKey: `discord:${GUILD}`,
      locale: 'en',
      timezone: 'UTC',
    });
    const msg: OutgoingMessage = {
      kind: 'digest',
      locale: 'en',
      heading: 'Digest',
      groups: [
        {
          sourceName: 'S',
          items: items('丁', 30).map((i, n) => ({
            articleId: `x${n}`,
            title: i.title,
            url: i.link,
            sourceName: 'S',
            publishedAt: i.pubDate.toISOString(),
            alsoReportedBy: [],
          })),
        },
      ],
      threadId: null,
      timezone: 'UTC',
    };
    const sender = d.app!.service.discord!.sender;
    expect(sender.partCount(chat, msg)).toBeGreaterThan(1);
    let anchor: string | null = null;
    const place = {
      anchor: async () => anchor,
      place: (a: string) => {
        anchor = a;
      },
    };
    await sender.sendPart(chat, msg, 0, place);
    expect(anchor).toBe(posts(SPARE_FORUM).at(-1)?.channel.id);
    d.fake.deleteChannel(anchor!);
    const err = (await sender.sendPart(chat, msg, 1, place).catch((e: unknown) => e)) as DeliveryError;
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err.kind).toBe('rejected');
    // A later part with no post recorded is refused, never posted somewhere else.
    const lost = (await sender
      .sendPart(chat, msg, 1, { anchor: async () => null, place: () => {} })
      .catch((e: unknown) => e)) as DeliveryError;
    expect(lost.kind).toBe('rejected');
  });

  it('a worker process without the gateway session posts too (forums and text channels)', async () => {
    const worker = await startTestService(
      {
        DISCORD_TOKEN: d.fake.token,
        DISCORD_APPLICATION_ID: d.fake.applicationId,
        DISCORD_API_ROOT: `${d.fake.url}/api`,
      },
      'worker',
    );
    try {
      const sender = worker.service.discord!.sender;
      expect(worker.service.discord!.client.isReady()).toBe(false);
      const chatOf = (id: string) =>
        worker.core.chats.ensure({
          platform: 'discord',
          chatId: id,
          type: 'guild-channel',
          parentKey: `discord:${GUILD}`,
          locale: 'en',
          timezone: 'UTC',
        });
      const notice: OutgoingMessage = {
        kind: 'notice',
        locale: 'en',
        heading: 'From a worker',
        groups: [],
        threadId: null,
        timezone: 'UTC',
      };
      const before = posts(SPARE_FORUM).length;
      await sender.sendPart(await chatOf(SPARE_FORUM), notice, 0, {
        anchor: async () => null,
        place: () => {},
      });
      expect(
        posts(SPARE_FORUM)
          .slice(before)
          .map((p) => p.channel.name),
      ).toEqual(['From a worker']);
      await sender.sendPart(await chatOf(TEXT), notice, 0);
      expect(d.fake.channelMessages(TEXT).at(-1)?.content).toBe('From a worker');
    } finally {
      await worker.cleanup();
    }
  });
});
