import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schedulerId } from '../../jobs/chat-schedules.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { ask, rss, type Stack, startStack } from './telegram-harness.ts';

const alice = { id: 1001, first_name: 'Alice', language_code: 'zh-hans' };
const dm = { id: 1001, type: 'private' as const, first_name: 'Alice' };
const bob = { id: 2002, first_name: 'Bob', language_code: 'en' };
const group = { id: -500, type: 'supergroup' as const, title: 'News group' };

describe('telegram commands (real telegraf ↔ fake Bot API, real FerretDB + Redis)', () => {
  let s: Stack;
  let feedUrl: string;

  beforeAll(async () => {
    s = await startStack();
    s.site.route('/hk.xml', {
      contentType: 'application/rss+xml',
      body: rss(
        '港聞台',
        [
          { title: '臺灣選舉結果公布', path: '/a1' },
          { title: '李家超參觀博物館 <新展>', path: '/a2' },
        ],
        s.site.url,
      ),
    });
    feedUrl = `${s.site.url}/hk.xml`;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('registers command menus in en (default) and zh', () => {
    const calls = s.fake.callsTo('setMyCommands');
    expect(calls.map((c) => c.params.language_code ?? null)).toEqual([null, 'zh']);
    const zh = calls[1]?.params.commands as Array<{ command: string; description: string }>;
    expect(zh.find((c) => c.command === 'digest')?.description).toBe('立即发送我的摘要');
  });

  it('/start answers in the user language with a three-line how-to', async () => {
    const [reply] = await ask(s.fake, dm, alice, '/start');
    expect(reply?.text).toContain('欢迎使用');
    expect(reply?.text?.split('\n').filter((l) => /^\d\./.test(l))).toHaveLength(3);
  });

  it('/subscribe with no argument explains usage; a URL is validated and added', async () => {
    expect((await ask(s.fake, dm, alice, '/subscribe'))[0]?.text).toContain('用法');
    const [added] = await ask(s.fake, dm, alice, `/subscribe ${feedUrl}`);
    expect(added?.text).toContain('已添加新闻源 港聞台');
    const [again] = await ask(s.fake, dm, alice, `/subscribe 港聞台`);
    expect(again?.text).toContain('已经订阅');
    const [bad] = await ask(s.fake, dm, alice, `/subscribe ${s.site.url}/missing.xml`);
    expect(bad?.text).toMatch(/网站返回了错误|无法获取/);
  });

  it('/subscribe keyword, /list, /unsubscribe via inline keyboard', async () => {
    expect((await ask(s.fake, dm, alice, '/subscribe 香港'))[0]?.text).toContain('关键词“香港”');
    const [list] = await ask(s.fake, dm, alice, '/list');
    expect(list?.text).toContain('港聞台');
    expect(list?.text).toContain('香港');
    const [pick] = await ask(s.fake, dm, alice, '/unsubscribe');
    const rows = (
      pick!.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard;
    const kw = rows.flat().find((b) => b.text.includes('香港'));
    expect(kw).toBeDefined();
    const before = s.fake.sentMessages(dm.id).length;
    s.fake.pressButton(dm, alice, kw!.callback_data, pick!.message_id);
    const done = await waitFor(() => s.fake.sentMessages(dm.id)[before]);
    expect(done.text).toContain('已取消订阅');
    const chat = await s.core.chats.get('telegram:1001');
    expect(chat?.subscriptions.map((x) => x.kind)).toEqual(['source']);
  });

  it('/sources shows a keyboard; a tap subscribes', async () => {
    await ask(s.fake, dm, alice, '/unsubscribe 港聞台');
    const [msg] = await ask(s.fake, dm, alice, '/sources');
    const button = (msg!.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> })
      .inline_keyboard[0]?.[0];
    const before = s.fake.sentMessages(dm.id).length;
    s.fake.pressButton(dm, alice, button!.callback_data, msg!.message_id);
    expect((await waitFor(() => s.fake.sentMessages(dm.id)[before])).text).toContain('已订阅 港聞台');
  });

  it('/time, /timezone, /script, /filter, /pause, /resume, /lang validate their input', async () => {
    expect((await ask(s.fake, dm, alice, '/time 25:99'))[0]?.text).toContain('“25:99”不是有效时间');
    expect((await ask(s.fake, dm, alice, '/time 18:30, 8:00'))[0]?.text).toContain('08:00, 18:30');
    expect((await ask(s.fake, dm, alice, '/timezone Mars/Olympus'))[0]?.text).toContain('Asia/Hong_Kong');
    expect((await ask(s.fake, dm, alice, '/timezone Asia/Hong_Kong'))[0]?.text).toContain('Asia/Hong_Kong');
    expect((await ask(s.fake, dm, alice, '/script hant'))[0]?.text).toContain('繁');
    expect((await ask(s.fake, dm, alice, '/script klingon'))[0]?.text).toContain('用法');
    expect((await ask(s.fake, dm, alice, '/filter +臺灣 -體育'))[0]?.text).toContain('+台湾 -体育');
    expect((await ask(s.fake, dm, alice, '/pause'))[0]?.text).toContain('已暂停');
    expect((await ask(s.fake, dm, alice, '/resume'))[0]?.text).toContain('已恢复');
    const chat = await s.core.chats.get('telegram:1001');
    expect(chat).toMatchObject({
      digestTimes: ['08:00', '18:30'],
      timezone: 'Asia/Hong_Kong',
      script: 'hant',
      include: ['台湾'],
      paused: false,
    });
    const schedulers = await s.ports.schedules.queue.getJobSchedulers(0, -1);
    expect(
      schedulers
        .filter((x) => x.tz === 'Asia/Hong_Kong')
        .map((x) => x.pattern)
        .sort(),
    ).toEqual(['0 8 * * *', '30 18 * * *']);
    expect((await ask(s.fake, dm, alice, '/lang en'))[0]?.text).toBe('Language set to English.');
  });

  it('/digest sends the digest (script-insensitive filter, escaped HTML, no previews), then says nothing new', async () => {
    // The reply and the digest race (a worker may send it before the bot answers): either order.
    const replies = await ask(s.fake, dm, alice, '/digest', 2);
    expect(replies.some((m) => m.text?.includes('on its way'))).toBe(true);
    const digest = await waitFor(() =>
      s.fake.sentMessages(dm.id).find((m) => m.text?.includes('NewsRelay digest')),
    );
    // the chat reads Traditional (Taiwan characters): 公布 → 公佈
    expect(digest.text).toContain('臺灣選舉結果公佈');
    expect(digest.text).not.toContain('李家超');
    expect(digest.link_preview_options).toEqual({ is_disabled: true });
    await ask(s.fake, dm, alice, '/filter clear');
    expect((await ask(s.fake, dm, alice, '/digest'))[0]?.text).toBe('Nothing new since your last digest.');
  });

  it('/headlines and /search use the core search in the chat script', async () => {
    const [h] = await ask(s.fake, dm, alice, '/headlines');
    expect(h?.text).toContain('李家超參觀博物館 <新展>');
    const [found] = await ask(s.fake, dm, alice, '/search 李家超参观');
    expect(found?.text).toContain('李家超參觀');
    expect((await ask(s.fake, dm, alice, '/search'))[0]?.text).toContain('Usage');
  });

  it('/export sends OPML; sending it back imports', async () => {
    const [, doc] = await ask(s.fake, dm, alice, '/export', 2);
    expect(doc?.document?.file_name).toMatch(/\.opml$/);
    const xml = doc?.document?.data?.toString() ?? '';
    expect(xml).toContain(`xmlUrl="${feedUrl}"`);
    s.fake.addFile('opml-1', Buffer.from(xml), 'subs.opml');
    const [imported] = await ask(s.fake, { id: 2002, type: 'private' as const }, bob, '', 1, {
      document: { file_id: 'opml-1', file_name: 'subs.opml', mime_type: 'text/x-opml' },
    });
    expect(imported?.text).toContain('Imported 1 subscriptions');
  });

  it('unknown commands and huge messages get a short hint, nothing crashes', async () => {
    expect((await ask(s.fake, dm, alice, '/frobnicate'))[0]?.text).toContain('/help');
    expect((await ask(s.fake, dm, alice, `hello ${'x'.repeat(5000)}`))[0]?.text).toContain('/help');
    const [big] = await ask(s.fake, dm, alice, `/subscribe ${'港'.repeat(4000)}`);
    expect(big?.text).toBeTruthy();
    expect((await ask(s.fake, dm, alice, '/help'))[0]?.text).toContain('/timezone');
  });

  it('groups: only admins change settings; members may read', async () => {
    s.fake.setChatMember(group.id, bob.id, 'member');
    expect((await ask(s.fake, group, bob, '/time 09:00'))[0]?.text).toContain('Only chat administrators');
    expect((await ask(s.fake, group, bob, '/list'))[0]?.text).toContain('No subscriptions');
    s.fake.setChatMember(group.id, bob.id, 'administrator');
    expect((await ask(s.fake, group, bob, '/time 09:00'))[0]?.text).toContain('09:00');
    expect(s.fake.callsTo('getChatMember').some((c) => c.params.user_id === bob.id)).toBe(true);
  });

  it('forum topics: a subscription made in a topic posts there', async () => {
    const forum = { id: -600, type: 'supergroup' as const, title: 'Forum', is_forum: true };
    s.fake.setChatMember(forum.id, bob.id, 'creator');
    await ask(s.fake, forum, bob, '/subscribe 港聞台', 1, { message_thread_id: 7 });
    const chat = await s.core.chats.get('telegram:-600');
    expect(chat?.subscriptions[0]?.threadId).toBe('7');
    await ask(s.fake, forum, bob, '/digest', 2, { message_thread_id: 7 });
    const digest = await waitFor(() =>
      s.fake.sentMessages(forum.id).find((m) => m.text?.includes('digest ·')),
    );
    expect(digest.message_thread_id).toBe(7);
  });

  it('a migrated group keeps its settings', async () => {
    const old = { id: -700, type: 'group' as const, title: 'Old' };
    s.fake.setChatMember(old.id, bob.id, 'administrator');
    await ask(s.fake, old, bob, '/subscribe 港聞台');
    // A send failed before the migration (Telegram answers "group chat was upgraded").
    await s.core.chats.deactivate('telegram:-700', 'group chat was upgraded to a supergroup chat');
    s.fake.pushUpdate({ message: { message_id: 99, chat: old, date: 1, migrate_to_chat_id: -1007 } });
    await waitFor(async () => (await s.core.chats.get('telegram:-700')) === null);
    const moved = await s.core.chats.get('telegram:-1007');
    expect(moved?.subscriptions).toHaveLength(1);
    // The new supergroup is reachable: it gets digests again, on its schedule.
    expect(moved).toMatchObject({ active: true, deactivatedReason: null });
    const ids = (await s.ports.schedules.queue.getJobSchedulers(0, -1)).map((j) => j.key);
    expect(ids).toContain(schedulerId(moved!.timezone, '08:00'));
    const group = (await s.core.chats.digestGroup('08:00', moved!.timezone)).map((c) => c.key);
    expect(group).toContain('telegram:-1007');
    expect(group).not.toContain('telegram:-700');
  });

  it('channels are managed from the private chat when user and bot are admins', async () => {
    s.fake.setChat({ id: -800, type: 'channel', title: 'Chan', username: 'mychan' });
    expect((await ask(s.fake, dm, alice, '/subscribe @mychan 港聞台'))[0]?.text).toContain(
      'must both be administrators',
    );
    s.fake.setChatMember(-800, alice.id, 'administrator');
    s.fake.setChatMember(-800, s.fake.botUser.id, 'administrator');
    expect((await ask(s.fake, dm, alice, '/subscribe @mychan 港聞台'))[0]?.text).toContain('港聞台');
    expect((await s.core.chats.get('telegram:-800'))?.subscriptions).toHaveLength(1);
  });

  it('never leaks the bot token in what it sends', () => {
    for (const m of s.fake.sentMessages()) expect(m.text ?? '').not.toContain(s.fake.token);
  });
});
