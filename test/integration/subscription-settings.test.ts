/**
 * A subscription's own filters, name and mute through ChatService and the digests, on the real
 * FerretDB with the real delivery queues on Redis: what digests select, which instant items are
 * recorded and enqueued, and that chats stored before these fields existed keep loading.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryPorts, type DeliveryPorts } from '../../jobs/delivery-runtime.ts';
import { parseFilterChange } from '../../src/chats/chat-rules.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { NewsrelayError, UserError } from '../../src/errors.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FeedItem, hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';
import { testEnv } from '../helpers/test-env.ts';

let t: TestCore;
let site: NewsSite;
let ports: DeliveryPorts;
let hk = '';
let sh = '';

const hkItems: FeedItem[] = [
  { title: '天星小輪加班應付人潮', link: 'https://hk.example.com/1.htm', pubDate: hoursAgo(2) },
  { title: '香港體育盛事：馬拉松', link: 'https://hk.example.com/2.htm', pubDate: hoursAgo(2) },
  { title: '臺\u200B灣\u202E選舉結果公布', link: 'https://hk.example.com/3.htm', pubDate: hoursAgo(2) },
];
const shItems: FeedItem[] = [
  { title: '地铁新线开通', link: 'https://sh.example.cn/1.htm', pubDate: hoursAgo(2) },
  { title: '上海体育场翻新', link: 'https://sh.example.cn/2.htm', pubDate: hoursAgo(2) },
];

const serve = (path: string, title: string, items: FeedItem[]) =>
  site.route(path, { body: rss(title, items), contentType: 'application/rss+xml' });

async function newChat(id: string): Promise<Chat> {
  return t.core.chats.ensure({
    platform: 'telegram',
    chatId: id,
    type: 'private',
    locale: 'en',
    timezone: 'UTC',
  });
}

/** Titles of the digest `chat` would get now, by group heading. */
async function digest(key: string): Promise<Record<string, string[]>> {
  const chat = (await t.core.chats.get(key))!;
  const out: Record<string, string[]> = {};
  for (const d of (await t.core.digests.select(chat)).selected)
    for (const g of d.groups)
      out[g.sourceName] = [...(out[g.sourceName] ?? []), ...g.items.map((i) => i.title)];
  return out;
}

const subOf = async (key: string, sourceId: string) =>
  (await t.core.chats.get(key))!.subscriptions.find((s) => s.sourceId === sourceId)!;

/** Instant messages recorded for `key`, as "heading: title". */
async function instantFor(key: string): Promise<string[]> {
  const pending = await t.stores.deliveries.pending();
  return pending
    .filter((d) => d.chatKey === key && d.digestKey.startsWith('instant-'))
    .map((d: { message: OutgoingMessage }) => `${d.message.heading}: ${d.message.groups[0]?.items[0]?.title}`)
    .sort();
}

beforeAll(async () => {
  const env = testEnv();
  const redis = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  ports = createDeliveryPorts(redis, env.config.QUEUE_PREFIX);
  t = await createTestCore(env.env, { deliveryQueue: ports.deliveries, schedules: ports.schedules });
  site = await startNewsSite();
  serve('/hk.xml', '港聞台', hkItems);
  serve('/sh.xml', '上海日报', shItems);
  hk = (await t.core.sources.add(`${site.url}/hk.xml`)).source.id;
  sh = (await t.core.sources.add(`${site.url}/sh.xml`)).source.id;
});

afterAll(async () => {
  await ports?.close();
  ports?.connection.disconnect();
  await site?.close();
  await t?.cleanup();
});

describe('a subscription’s own filters, name and mute', () => {
  it('filters apply to their subscription only, on top of the chat’s, and survive a reload', async () => {
    const key = (await newChat('7001')).key;
    await t.core.chats.subscribe(key, { sourceId: hk });
    await t.core.chats.subscribe(key, { sourceId: sh });
    const all = await digest(key);
    expect(all.港聞台).toHaveLength(3);
    expect(all.上海日报).toHaveLength(2);

    // The Hong Kong source leaves out sport; Shanghai's sport stays.
    await t.core.chats.changeSubscriptionFilters(key, (await subOf(key, hk)).id, parseFilterChange('-體育'));
    let got = await digest(key);
    expect(got.港聞台).toEqual(expect.not.arrayContaining(['香港體育盛事：馬拉松']));
    expect(got.港聞台).toHaveLength(2);
    expect(got.上海日报).toContain('上海体育场翻新');

    // The chat's own exclude word holds as well: the zero-width and bidi characters in the title
    // do not hide 臺灣 from the word 台湾.
    await t.core.chats.changeFilters(key, parseFilterChange('-台湾'));
    got = await digest(key);
    expect(got.港聞台).toEqual(['天星小輪加班應付人潮']);

    // An include word typed with a zero-width joiner still matches.
    await t.core.chats.changeSubscriptionFilters(
      key,
      (await subOf(key, sh)).id,
      parseFilterChange('+地\u200D铁'),
    );
    got = await digest(key);
    expect(got.上海日报).toEqual(['地铁新线开通']);
    expect((await subOf(key, sh)).include).toEqual(['地铁']);

    await t.core.chats.changeSubscriptionFilters(key, (await subOf(key, hk)).id, { clear: true });
    expect((await subOf(key, hk)).exclude).toEqual([]);
    expect((await digest(key)).港聞台).toHaveLength(2);
  });

  it('refuses a 21st word in a list and keeps the 20 it had', async () => {
    const key = (await newChat('7002')).key;
    await t.core.chats.subscribe(key, { sourceId: hk });
    const id = (await subOf(key, hk)).id;
    const twenty = Array.from({ length: 20 }, (_, n) => `-词${n}`).join(' ');
    await t.core.chats.changeSubscriptionFilters(key, id, parseFilterChange(twenty));
    await expect(
      t.core.chats.changeSubscriptionFilters(key, id, parseFilterChange('-再一个')),
    ).rejects.toMatchObject({
      key: 'filter.tooMany',
    });
    expect((await subOf(key, hk)).exclude).toHaveLength(20);
    await expect(
      t.core.chats.changeFilters(key, parseFilterChange(`${twenty} -再一个`)),
    ).rejects.toBeInstanceOf(UserError);
    expect((await t.core.chats.get(key))!.exclude).toEqual([]);
  });

  it('a renamed subscription heads its group in digests under the new name', async () => {
    const key = (await newChat('7003')).key;
    await t.core.chats.subscribe(key, { sourceId: hk });
    await t.core.chats.renameSubscription(key, (await subOf(key, hk)).id, '香港新聞');
    expect(Object.keys(await digest(key))).toEqual(['香港新聞']);
    await t.core.chats.renameSubscription(key, (await subOf(key, hk)).id, null);
    expect(Object.keys(await digest(key))).toEqual(['港聞台']);
  });

  it('a muted subscription stays but adds nothing to digests; unmuted, it does again', async () => {
    const key = (await newChat('7004')).key;
    await t.core.chats.subscribe(key, { sourceId: hk });
    await t.core.chats.subscribe(key, { sourceId: sh });
    await t.core.chats.setMuted(key, (await subOf(key, hk)).id, true);
    expect((await t.core.chats.get(key))!.subscriptions).toHaveLength(2);
    expect(Object.keys(await digest(key))).toEqual(['上海日报']);
    await t.core.chats.setMuted(key, (await subOf(key, hk)).id, false);
    expect(Object.keys(await digest(key)).sort()).toEqual(['上海日报', '港聞台']);
  });

  it('instant items: a muted subscription sends none, its own filters and name apply', async () => {
    const muted = (await newChat('7005')).key;
    const filtered = (await newChat('7006')).key;
    await t.core.chats.subscribe(muted, { sourceId: sh }, { instant: true });
    await t.core.chats.subscribe(filtered, { sourceId: sh }, { instant: true });
    await t.core.chats.setMuted(muted, (await subOf(muted, sh)).id, true);
    const sub = (await subOf(filtered, sh)).id;
    await t.core.chats.changeSubscriptionFilters(filtered, sub, parseFilterChange('-體\u200B育'));
    await t.core.chats.renameSubscription(filtered, sub, '申城');
    // The muted chat is not among the source's instant subscribers at all.
    expect(await t.core.chats.instantChats(sh)).toEqual([filtered]);

    serve('/sh.xml', '上海日报', [
      ...shItems,
      { title: '浦东体育公园开放', link: 'https://sh.example.cn/3.htm', pubDate: hoursAgo(0) },
      { title: '外滩灯光秀延长', link: 'https://sh.example.cn/4.htm', pubDate: hoursAgo(0) },
    ]);
    await t.core.ingest.fetchById(sh);
    expect(await instantFor(muted)).toEqual([]);
    expect(await instantFor(filtered)).toEqual(['New from 申城: 外滩灯光秀延长']);
    expect(await ports.deliveries.queue('telegram').getJobCounts('waiting')).toMatchObject({ waiting: 1 });

    // Unmuted, the next new article reaches it again.
    await t.core.chats.setMuted(muted, (await subOf(muted, sh)).id, false);
    expect((await t.core.chats.instantChats(sh)).sort()).toEqual([muted, filtered].sort());
    serve('/sh.xml', '上海日报', [
      { title: '南京路步行街夜市', link: 'https://sh.example.cn/5.htm', pubDate: hoursAgo(0) },
    ]);
    await t.core.ingest.fetchById(sh);
    expect(await instantFor(muted)).toEqual(['New from 上海日报: 南京路步行街夜市']);
  });

  it('changing a subscription removed meanwhile fails as not found and changes nothing', async () => {
    const key = (await newChat('7007')).key;
    await t.core.chats.subscribe(key, { sourceId: hk });
    const before = await t.core.chats.get(key);
    await expect(t.core.chats.setMuted(key, 'gone', true)).rejects.toBeInstanceOf(NewsrelayError);
    expect(await t.core.chats.get(key)).toEqual(before);
  });

  it('chats stored before these fields existed load with defaults and can use them', async () => {
    const createdAt = new Date();
    await t.db.models.Chat.collection.insertOne({
      _id: 'telegram:7008',
      platform: 'telegram',
      chatId: '7008',
      type: 'private',
      title: null,
      parentKey: null,
      locale: 'en',
      script: 'original',
      timezone: 'UTC',
      digestTimes: ['08:00'],
      paused: false,
      active: true,
      deactivatedReason: null,
      include: [],
      exclude: [],
      // A subscription as the previous version stored it: no name, include, exclude or muted.
      subscriptions: [
        {
          id: 'old1',
          kind: 'source',
          sourceId: hk,
          keyword: null,
          instant: false,
          threadId: null,
          createdAt,
        },
      ],
      lastDigestAt: null,
      lastDigestSlot: null,
      createdAt,
      updatedAt: createdAt,
    } as never);
    const chat = (await t.core.chats.get('telegram:7008'))!;
    expect(chat.subscriptions[0]).toMatchObject({ name: null, include: [], exclude: [], muted: false });
    expect(Object.keys(await digest(chat.key))).toEqual(['港聞台']);
    await t.core.chats.renameSubscription(chat.key, 'old1', '港聞');
    await t.core.chats.changeSubscriptionFilters(chat.key, 'old1', parseFilterChange('+天星'));
    expect(await digest(chat.key)).toEqual({ 港聞: ['天星小輪加班應付人潮'] });
  });
});
