/**
 * A source's life after repeated failure, on the real FerretDB: disabled once (however many fetches
 * race), its owners and subscribers told once each in their language through recorded deliveries,
 * re-probed with a doubling backoff from 1 h up to 24 h, re-enabled when it serves a feed again and
 * its chats told once. And who may add sources: the subscription cap, ALLOWED_USERS and
 * MAX_SOURCES_PER_USER are checked before anything is fetched or stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_LIMITS } from '../../src/chats/chat-rules.ts';
import type { CommandContext, CommandServices } from '../../src/commands/command-context.ts';
import { runCommand } from '../../src/commands/command-router.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { DeliveryJobRef } from '../../src/delivery/platform-sender.ts';
import type { Chat, Locale } from '../../src/domain/types.ts';
import { t as say } from '../../src/i18n/i18n.ts';
import { REPROBE_MAX_MS, REPROBE_MIN_MS } from '../../src/ingest/ingest-service.ts';
import { deliveryIdOf } from '../../src/store/delivery-store.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
let site: NewsSite;
const queued: DeliveryJobRef[] = [];
const HOUR = 3600_000;

const feed = (title: string) =>
  rss(title, [
    {
      title: `${title}：要闻`,
      link: `https://ok.example.cn/${encodeURIComponent(title)}`,
      pubDate: hoursAgo(1),
    },
  ]);
const serve = (path: string, title: string) =>
  site.route(path, { body: feed(title), contentType: 'application/rss+xml' });

async function chat(id: string, locale: Locale): Promise<Chat> {
  const script = locale === 'zh-Hant' ? 'hant' : 'original';
  return t.core.chats.ensure({
    platform: 'telegram',
    chatId: id,
    type: 'private',
    locale,
    timezone: 'UTC',
    script,
  });
}

function context(c: Chat, actor: string | null): CommandContext {
  return {
    chat: c,
    locale: c.locale,
    canManage: true,
    refusal: 'admin.only',
    threadId: null,
    target: null,
    syntax: 'text',
    actor,
  };
}

/** Notices recorded for `chatKey` with this digest key prefix. */
/** Ids of the sources a poll tick at `now` would enqueue. */
async function dueIds(now: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const batch of t.core.sources.due(now)) ids.push(...batch.map((s) => s.id));
  return ids;
}

async function notice(chatKey: string, digestKey: string) {
  return t.stores.deliveries.get(deliveryIdOf(chatKey, digestKey));
}

beforeAll(async () => {
  site = await startNewsSite();
  t = await createTestCore(
    {
      SOURCE_MAX_FAILURES: '2',
      ALLOWED_USERS: 'telegram:71, telegram:72',
      MAX_SOURCES_PER_USER: '1',
      PUBLIC_SOURCES: `${site.url}/listed.xml`,
    },
    {
      deliveryQueue: {
        enqueue: async (ref) => void queued.push(ref),
        enqueueMany: async (refs) => void queued.push(...refs),
      },
    },
  );
});

afterAll(async () => {
  await site?.close();
  await t?.cleanup();
});

describe('a disabled source', () => {
  it('tells its owners and subscribers once, re-probes with a doubling backoff, and tells them once when it is back', async () => {
    serve('/dies.xml', '时断时续');
    const owner = await chat('61', 'en');
    const reader = await chat('62', 'zh-Hans');
    const other = await chat('63', 'zh-Hant');
    const { source } = await t.core.sources.add(`${site.url}/dies.xml`, { owner: owner.key });
    await t.core.chats.subscribe(reader.key, { sourceId: source.id });
    await t.core.chats.subscribe(other.key, { sourceId: source.id });
    // The owner added it and unsubscribed: still told.
    site.route('/dies.xml', { status: 500, body: 'down' });
    const t0 = Date.now();
    expect((await t.core.ingest.fetchById(source.id, new Date(t0))).status).toBe('failed');
    expect(queued).toHaveLength(0);

    // Two workers fetch the same state at once: both see the second failure, one disables.
    const stale = (await t.stores.sources.get(source.id))!;
    const t1 = t0 + 60_000;
    await Promise.all([
      t.core.ingest.fetchSource(stale, new Date(t1)),
      t.core.ingest.fetchSource(stale, new Date(t1)),
    ]);
    const disabled = (await t.stores.sources.get(source.id))!;
    expect(disabled.health.disabledAt?.getTime()).toBe(t1);
    expect(disabled.health.disabledKind).toBe('http_500');
    expect(disabled.nextFetchAt.getTime()).toBeGreaterThanOrEqual(t1 + REPROBE_MIN_MS);
    const downKey = `source-down-${source.id}-${t1}`;
    expect(queued.map((r) => r.chatKey).sort()).toEqual([owner.key, reader.key, other.key].sort());
    const en = await notice(owner.key, downKey);
    expect(en?.message).toMatchObject({
      kind: 'notice',
      locale: 'en',
      heading: say('en', 'sourceNotice.downHeading', { name: '时断时续' }),
    });
    expect(en?.message.text).toContain('HTTP 500');
    expect(en?.message.text).toContain(say('en', 'sourceHealth.advice.wait'));
    expect((await notice(reader.key, downKey))?.message.heading).toBe(
      say('zh-Hans', 'sourceNotice.downHeading', { name: '时断时续' }),
    );
    // Converted to the chat's script like its headlines.
    expect((await notice(other.key, downKey))?.message.heading).toBe(
      say('zh-Hant', 'sourceNotice.downHeading', { name: '時斷時續' }),
    );
    // The URL (and anything secret in it) is never in a notice.
    expect(JSON.stringify(en?.message)).not.toContain(site.url);

    // Not due before its re-probe time: a tick leaves it alone, a fetch does not reach the site.
    const requests = site.requests.length;
    expect(await dueIds(t1 + 60_000)).not.toContain(source.id);
    expect((await t.core.ingest.fetchById(source.id, new Date(t1 + 60_000))).status).toBe('disabled');
    expect(site.requests.length).toBe(requests);

    // Each failed re-probe doubles the wait, up to 24 h; nobody is told again.
    let due = disabled.nextFetchAt.getTime();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      expect(await dueIds(due)).toContain(source.id);
      expect((await t.core.ingest.fetchById(source.id, new Date(due))).status).toBe('failed');
      const s = (await t.stores.sources.get(source.id))!;
      expect(s.health.disabledAt?.getTime()).toBe(t1);
      waits.push(s.nextFetchAt.getTime() - due);
      due = s.nextFetchAt.getTime();
    }
    expect(waits).toEqual([2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, REPROBE_MAX_MS, REPROBE_MAX_MS]);
    expect(queued).toHaveLength(3);

    // It serves a feed again: the re-probe re-enables it and tells each chat once.
    serve('/dies.xml', '时断时续');
    const back = await t.core.ingest.fetchById(source.id, new Date(due));
    expect(back).toMatchObject({ status: 'ok', recovered: true });
    const s = (await t.stores.sources.get(source.id))!;
    expect(s.health).toMatchObject({ disabledAt: null, failures: 0, lastErrorKind: null });
    const upKey = `source-up-${source.id}-${t1}`;
    expect(
      queued
        .slice(3)
        .map((r) => r.chatKey)
        .sort(),
    ).toEqual([owner.key, reader.key, other.key].sort());
    expect((await notice(reader.key, upKey))?.message.heading).toBe(
      say('zh-Hans', 'sourceNotice.upHeading', { name: '时断时续' }),
    );
    await t.core.ingest.fetchById(source.id, new Date(due + HOUR));
    expect(queued).toHaveLength(6);
  });

  it('is probed again at once by a retry, and a chat that is gone is not told', async () => {
    serve('/gone.xml', '消失的源');
    const a = await chat('64', 'en');
    const gone = await chat('65', 'en');
    const { source } = await t.core.sources.add(`${site.url}/gone.xml`);
    await t.core.chats.subscribe(a.key, { sourceId: source.id });
    await t.core.chats.subscribe(gone.key, { sourceId: source.id });
    await t.core.chats.deactivate(gone.key, 'blocked');
    site.route('/gone.xml', { status: 404, body: 'nope' });
    const before = queued.length;
    // A 404 is permanent: half of SOURCE_MAX_FAILURES disables.
    await t.core.ingest.fetchById(source.id);
    expect(queued.slice(before).map((r) => r.chatKey)).toEqual([a.key]);
    const down = (await t.stores.sources.get(source.id))!;
    const text = (await notice(a.key, `source-down-${source.id}-${down.health.disabledAt!.getTime()}`))
      ?.message.text;
    expect(text).toContain(say('en', 'sourceHealth.reason.httpGone', { status: 404 }));
    expect(text).toContain(say('en', 'sourceHealth.advice.moved'));
    expect(await t.core.sources.retry(source.id)).toMatchObject({
      status: 'failed',
      failureKind: 'http_404',
    });
    serve('/gone.xml', '消失的源');
    expect(await t.core.sources.retry(source.id)).toMatchObject({ status: 'ok', recovered: true });
    expect(await t.core.sources.retry(source.id)).toBeNull();
  });
});

describe('a disabled source whose chats were not told', () => {
  it('is told at its next probe (a crash came between disabling and telling), once', async () => {
    serve('/crash.xml', '崩溃之间');
    const c = await chat('76', 'en');
    const { source } = await t.core.sources.add(`${site.url}/crash.xml`);
    await t.core.chats.subscribe(c.key, { sourceId: source.id });
    const at = new Date();
    // What a process that died right after disabling it left behind: disabled, nobody told.
    await t.stores.sources.recordFailure(source.id, {
      error: 'HTTP 410',
      kind: 'http_410',
      failures: 2,
      retryAt: new Date(at.getTime() + REPROBE_MIN_MS),
      disable: true,
      at,
    });
    site.route('/crash.xml', { status: 410, body: 'gone' });
    const before = queued.length;
    await t.core.ingest.fetchById(source.id, new Date(at.getTime() + REPROBE_MIN_MS));
    expect(queued.slice(before).map((r) => r.chatKey)).toEqual([c.key]);
    const text = (await notice(c.key, `source-down-${source.id}-${at.getTime()}`))?.message.text;
    expect(text).toContain(say('en', 'sourceHealth.reason.httpGone', { status: 410 }));
    expect((await t.stores.sources.get(source.id))?.health.downNotified).toBe(true);
    const next = (await t.stores.sources.get(source.id))!.nextFetchAt;
    await t.core.ingest.fetchById(source.id, next);
    expect(queued.length).toBe(before + 1);
  });
});

describe('a disabled source answering 304', () => {
  it('is back: the feed it served last is still current', async () => {
    const body = feed('不变的源');
    site.route('/same.xml', { body, etag: '"v1"', contentType: 'application/rss+xml' });
    const c = await chat('75', 'en');
    const { source } = await t.core.sources.add(`${site.url}/same.xml`);
    await t.core.chats.subscribe(c.key, { sourceId: source.id });
    site.route('/same.xml', { status: 404, body: 'gone' });
    await t.core.ingest.fetchById(source.id);
    const down = (await t.stores.sources.get(source.id))!;
    expect(down.health.disabledAt).not.toBeNull();
    site.route('/same.xml', { body, etag: '"v1"', contentType: 'application/rss+xml' });
    const before = queued.length;
    expect(await t.core.ingest.fetchById(source.id, down.nextFetchAt)).toMatchObject({
      status: 'not_modified',
      recovered: true,
    });
    expect((await t.stores.sources.get(source.id))!.health.disabledAt).toBeNull();
    expect(queued.slice(before).map((r) => r.chatKey)).toEqual([c.key]);
    expect(
      (await notice(c.key, `source-up-${source.id}-${down.health.disabledAt!.getTime()}`))?.message.heading,
    ).toBe(say('en', 'sourceNotice.upHeading', { name: '不变的源' }));
  });
});

describe('who may add sources', () => {
  const services = () => t.core as CommandServices;

  it('checks the subscription cap before anything is fetched or stored', async () => {
    const full = await chat('66', 'en');
    for (let i = 0; i < CHAT_LIMITS.subscriptions; i++)
      await t.core.chats.subscribe(full.key, { keyword: `词${i}` });
    serve('/capped.xml', '满额');
    const requests = site.requests.length;
    const reply = await runCommand(
      services(),
      context((await t.core.chats.get(full.key))!, 'telegram:71'),
      'subscribe',
      `${site.url}/capped.xml`,
    );
    expect(reply.lines[0]?.[0]?.text).toBe(
      say('en', 'subscribe.tooMany', { max: CHAT_LIMITS.subscriptions }),
    );
    expect(await t.stores.sources.getByUrl(`${site.url}/capped.xml`)).toBeNull();
    expect(site.requests.length).toBe(requests);
  });

  it('lets only ALLOWED_USERS add, each up to MAX_SOURCES_PER_USER; known sources stay open to all', async () => {
    const c = await chat('67', 'zh-Hant');
    serve('/first.xml', '第一');
    serve('/second.xml', '第二');
    const requests = site.requests.length;
    const refused = await runCommand(
      services(),
      context(c, 'telegram:99'),
      'subscribe',
      `${site.url}/first.xml`,
    );
    expect(refused.lines.map((l) => l[0]?.text)).toEqual([say('zh-Hant', 'sourceAccess.notAllowed')]);
    const anonymous = await runCommand(services(), context(c, null), 'subscribe', `${site.url}/first.xml`);
    expect(anonymous.lines[0]?.[0]?.text).toBe(say('zh-Hant', 'sourceAccess.notAllowed'));
    expect(site.requests.length).toBe(requests);
    expect(await t.stores.sources.getByUrl(`${site.url}/first.xml`)).toBeNull();

    const added = await runCommand(
      services(),
      context(c, 'telegram:72'),
      'subscribe',
      `${site.url}/first.xml`,
    );
    expect(added.lines[0]?.[0]?.text).toBe(say('zh-Hant', 'subscribe.newSource', { name: '第一' }));
    const capped = await runCommand(
      services(),
      context((await t.core.chats.get(c.key))!, 'telegram:72'),
      'subscribe',
      `${site.url}/second.xml`,
    );
    expect(capped.lines[0]?.[0]?.text).toBe(say('zh-Hant', 'sourceAccess.userCap', { max: 1 }));
    expect(await t.stores.sources.getByUrl(`${site.url}/second.xml`)).toBeNull();
    // Someone not on the list may still follow a source that exists.
    const d = await chat('68', 'en');
    const follow = await runCommand(
      services(),
      context(d, 'telegram:99'),
      'subscribe',
      `${site.url}/first.xml`,
    );
    expect(follow.lines[0]?.[0]?.text).toBe(say('en', 'subscribe.source', { name: '第一' }));
  });

  it('/sources lists a chat-added source only to the chats that follow or added it, and PUBLIC_SOURCES to all', async () => {
    serve('/listed.xml', '公开源');
    serve('/unlisted.xml', '私有源');
    const adder = await chat('69', 'en');
    const stranger = await chat('70', 'en');
    await t.core.sources.add(`${site.url}/listed.xml`, { owner: adder.key });
    await t.core.sources.add(`${site.url}/unlisted.xml`, { owner: adder.key });
    const labels = async (c: Chat) => {
      const reply = await runCommand(
        services(),
        context((await t.core.chats.get(c.key))!, null),
        'sources',
        '',
      );
      return (reply.buttons ?? []).flat().map((b) => b.label);
    };
    expect(await labels(adder)).toEqual(expect.arrayContaining(['公开源', '私有源']));
    const seen = await labels(stranger);
    expect(seen).toContain('公开源');
    expect(seen).not.toContain('私有源');
  });

  it('refuses a malformed ALLOWED_USERS at start-up', () => {
    expect(() => loadConfig({ ALLOWED_USERS: 'telegram:12,alice' })).toThrow(/ALLOWED_USERS/);
    expect(loadConfig({ ALLOWED_USERS: ' telegram:12, discord:34 ' }).ALLOWED_USERS).toEqual([
      'telegram:12',
      'discord:34',
    ]);
    expect(loadConfig({}).ALLOWED_USERS).toEqual([]);
  });
});
