/**
 * A source's health and privacy on Telegram, end to end: the real telegraf client against the fake
 * Bot API, the service on real FerretDB and Redis. A disabled source's chats get one notice each in
 * their language (through the deliver queue), /list shows health, subscribing again retries at
 * once, and the chats are told once when it is back. /sources lists only what a chat follows or
 * added and public sources; ALLOWED_USERS and MAX_SOURCES_PER_USER refuse in one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_LIMITS } from '../../src/chats/chat-rules.ts';
import { t } from '../../src/i18n/i18n.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { ask, rss, type Stack, startStack, textsTo } from './telegram-harness.ts';

const ann = { id: 4101, first_name: 'Ann', language_code: 'en' };
const lin = { id: 4102, first_name: 'Lin', language_code: 'zh-hans' };
const eve = { id: 4103, first_name: 'Eve', language_code: 'zh-hk' };
const dmOf = (u: { id: number; first_name: string }) => ({
  id: u.id,
  type: 'private' as const,
  first_name: u.first_name,
});

let s: Stack;
let url = '';
const SECRET = 'Zx81kQ0pLm29TTa7bQ3e';

async function answer(user: typeof ann, text: string): Promise<string> {
  const [reply] = await ask(s.fake, dmOf(user), user, text);
  return reply?.text ?? '';
}

const serveOk = (path: string, title: string) =>
  s.site.route(path, {
    contentType: 'application/rss+xml',
    body: rss(title, [{ title: `${title}：今日要闻`, path: `${path}-1` }], s.site.url),
  });

/** Messages to `user` whose text starts with `heading`. */
const noticesTo = (user: { id: number }, heading: string) =>
  textsTo(s.fake, user.id).filter((x) => x.startsWith(heading));

beforeAll(async () => {
  s = await startStack({
    SOURCE_MAX_FAILURES: '4',
    ALLOWED_USERS: `telegram:${ann.id},telegram:${lin.id}`,
    MAX_SOURCES_PER_USER: '2',
  });
  serveOk('/private.xml', '私家新闻');
  url = `${s.site.url}/private.xml?token=${SECRET}`;
});

afterAll(async () => {
  await s?.close();
});

describe('sources stay private on Telegram', () => {
  it('only allowed users add sources, each up to MAX_SOURCES_PER_USER, refused in one line', async () => {
    expect(await answer(eve, `/subscribe ${s.site.url}/private.xml?token=x`)).toBe(
      t('zh-Hant', 'sourceAccess.notAllowed'),
    );
    expect(await answer(ann, `/subscribe ${url}`)).toBe(t('en', 'subscribe.newSource', { name: '私家新闻' }));
    serveOk('/second.xml', '第二');
    serveOk('/third.xml', '第三');
    expect(await answer(ann, `/subscribe ${s.site.url}/second.xml`)).toContain('第二');
    const requests = s.site.requests.length;
    expect(await answer(ann, `/subscribe ${s.site.url}/third.xml`)).toBe(
      t('en', 'sourceAccess.userCap', { max: 2 }),
    );
    expect(s.site.requests.length).toBe(requests);
    expect(await s.core.sources.find(`${s.site.url}/third.xml`)).toBeNull();
  });

  it('a chat at its subscription cap is refused before the URL is fetched or stored', async () => {
    const key = `telegram:${lin.id}`;
    await answer(lin, '/list');
    for (let i = 0; i < CHAT_LIMITS.subscriptions; i++)
      await s.core.chats.subscribe(key, { keyword: `词${i}` });
    serveOk('/capped.xml', '满额');
    const requests = s.site.requests.length;
    expect(await answer(lin, `/subscribe ${s.site.url}/capped.xml`)).toBe(
      t('zh-Hans', 'subscribe.tooMany', { max: CHAT_LIMITS.subscriptions }),
    );
    expect(s.site.requests.length).toBe(requests);
    expect(await s.core.sources.find(`${s.site.url}/capped.xml`)).toBeNull();
    for (const sub of (await s.core.chats.get(key))!.subscriptions)
      await s.core.chats.unsubscribe(key, sub.id);
  });

  it('/sources lists what a chat follows or added; others see a source once it is public', async () => {
    expect(await answer(eve, '/sources')).toBe(t('zh-Hant', 'sources.none'));
    const [mine] = await ask(s.fake, dmOf(ann), ann, '/sources');
    const labels = (mine!.reply_markup as { inline_keyboard: Array<Array<{ text: string }>> }).inline_keyboard
      .flat()
      .map((b) => b.text);
    expect(labels).toContain('✓ 私家新闻');
    const source = (await s.core.sources.find(url))!;
    await s.core.sources.setPublic(source.id, true);
    const [listed] = await ask(s.fake, dmOf(eve), eve, '/sources');
    expect(JSON.stringify(listed!.reply_markup)).toContain('私家新闻');
    await s.core.sources.setPublic(source.id, false);
    // The secret never reaches a chat.
    expect(
      s.fake
        .sentMessages()
        .filter((m) => (m.text ?? '').includes(SECRET))
        .map((m) => `${m.chat_id} ${m.text}`),
    ).toEqual([]);
  });
});

describe('a source that dies and comes back, on Telegram', () => {
  it('tells each chat once in its language, shows it in /list, retries on a new /subscribe and tells them it is back', async () => {
    expect(await answer(lin, `/subscribe ${url}`)).toBe(
      t('zh-Hans', 'subscribe.source', { name: '私家新闻' }),
    );
    const source = (await s.core.sources.find(url))!;
    s.site.route('/private.xml', { status: 404, body: 'gone' });
    // A 404 is permanent: disabled after half of SOURCE_MAX_FAILURES.
    await s.core.ingest.fetchById(source.id);
    expect((await answer(ann, '/list')).split('\n')).toContain(
      `• 私家新闻 · ${t('en', 'sourceHealth.failing', { failures: 1, reason: t('en', 'sourceHealth.reason.httpGone', { status: 404 }) })}`,
    );
    await s.core.ingest.fetchById(source.id);
    const downEn = t('en', 'sourceNotice.downHeading', { name: '私家新闻' });
    const downHans = t('zh-Hans', 'sourceNotice.downHeading', { name: '私家新闻' });
    const [en] = await waitFor(() => (noticesTo(ann, downEn).length ? noticesTo(ann, downEn) : null));
    expect(en).toContain(t('en', 'sourceHealth.reason.httpGone', { status: 404 }));
    expect(en).toContain(t('en', 'sourceHealth.advice.moved'));
    const [hans] = await waitFor(() => (noticesTo(lin, downHans).length ? noticesTo(lin, downHans) : null));
    expect(hans).toContain('HTTP 404');
    // Fetching again (not due) tells nobody again.
    await s.core.ingest.fetchById(source.id);
    const list = (await answer(ann, '/list')).split('\n');
    const disabledAt = (await s.core.sources.get(source.id))!.health.disabledAt!;
    expect(list).toContain(
      `• 私家新闻 · ${t('en', 'sourceHealth.disabled', {
        time: disabledAt.toISOString().slice(0, 16).replace('T', ' '),
        reason: t('en', 'sourceHealth.reason.httpGone', { status: 404 }),
      })}`,
    );
    expect(noticesTo(ann, downEn)).toHaveLength(1);
    expect(noticesTo(lin, downHans)).toHaveLength(1);

    // Subscribing again retries at once: still failing, then back.
    const still = await answer(lin, `/subscribe ${url}`);
    expect(still).toContain(
      t('zh-Hans', 'sourceRetry.still', {
        reason: t('zh-Hans', 'sourceHealth.reason.httpGone', { status: 404 }),
      }),
    );
    serveOk('/private.xml', '私家新闻');
    const back = await answer(lin, `/subscribe ${url}`);
    expect(back).toContain(t('zh-Hans', 'sourceRetry.back'));
    const upEn = t('en', 'sourceNotice.upHeading', { name: '私家新闻' });
    const [up] = await waitFor(() => (noticesTo(ann, upEn).length ? noticesTo(ann, upEn) : null));
    expect(up).toContain(t('en', 'sourceNotice.upText'));
    await waitFor(
      () => noticesTo(lin, t('zh-Hans', 'sourceNotice.upHeading', { name: '私家新闻' })).length === 1,
    );
    expect((await answer(ann, '/list')).split('\n')).toContain(`• 私家新闻 · ${t('en', 'sourceHealth.ok')}`);
    expect(noticesTo(ann, upEn)).toHaveLength(1);
    expect(
      s.fake
        .sentMessages()
        .filter((m) => (m.text ?? '').includes(SECRET))
        .map((m) => `${m.chat_id} ${m.text}`),
    ).toEqual([]);
  });
});
