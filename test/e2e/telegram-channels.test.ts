/**
 * Telegram channels end to end (real telegraf ↔ fake Bot API, the service on real FerretDB + Redis):
 * a channel managed from the private chat by `@username` or numeric id, buttons on those answers
 * acting on the channel, OPML import into a channel and `/export` of it, and commands that admins
 * post in the channel itself (`channel_post` updates, which polling must ask Telegram for).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentMessage } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { ask, rss, type Stack, startStack } from './telegram-harness.ts';

const CHANNEL_ID = -1001234567890;
const channel = { id: CHANNEL_ID, type: 'channel' as const, title: '港聞頻道', username: 'hknewschan' };
const alice = { id: 3001, first_name: 'Alice', language_code: 'zh-hans' };
const aliceDm = { id: 3001, type: 'private' as const, first_name: 'Alice' };
const bob = { id: 3002, first_name: 'Bob', language_code: 'en' };
const bobDm = { id: 3002, type: 'private' as const, first_name: 'Bob' };
const key = `telegram:${CHANNEL_ID}`;

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const buttons = (m: SentMessage | undefined) =>
  (m?.reply_markup as Keyboard | undefined)?.inline_keyboard.flat() ?? [];

describe('telegram channels', () => {
  let s: Stack;
  let hkUrl = '';
  let shUrl = '';

  const channelSubs = async () => {
    const chat = await s.core.chats.get(key);
    const names = [];
    for (const sub of chat?.subscriptions ?? [])
      names.push((await s.core.sources.get(sub.sourceId ?? ''))?.name);
    return names;
  };

  /** Press `data` on `message` in a private chat; wait for the press to be answered. */
  const press = async (chat: typeof aliceDm, from: typeof alice, data: string, message: SentMessage) => {
    const id = s.fake.pressButton(chat, from, data, message.message_id);
    return waitFor(() =>
      s.fake.callsTo('answerCallbackQuery').find((c) => c.params.callback_query_id === id),
    );
  };

  beforeAll(async () => {
    s = await startStack();
    s.site.route('/hk.xml', {
      contentType: 'application/rss+xml',
      body: rss(
        '港聞台',
        Array.from({ length: 12 }, (_, n) => ({ title: `港聞第${n}則 天星小輪`, path: `/hk${n}` })),
        s.site.url,
      ),
    });
    s.site.route('/sh.xml', {
      contentType: 'application/rss+xml',
      body: rss('上海日报', [{ title: '地铁新线开通', path: '/sh1' }], s.site.url),
    });
    hkUrl = `${s.site.url}/hk.xml`;
    shUrl = `${s.site.url}/sh.xml`;
    await s.core.sources.add(hkUrl);
    await s.core.sources.add(shUrl);
    s.fake.setChat(channel);
    s.fake.setChatMember(CHANNEL_ID, s.fake.botUser.id, 'administrator');
    s.fake.setChatMember(CHANNEL_ID, alice.id, 'creator');
    s.fake.setChatMember(CHANNEL_ID, bob.id, 'member');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('polling asks Telegram for channel posts (and every other update type it handles)', () => {
    expect(s.fake.allowedUpdates()?.sort()).toEqual(['callback_query', 'channel_post', 'message']);
  });

  it('manages a channel by its numeric id; the answer names the channel, in the user’s language', async () => {
    const [added] = await ask(s.fake, aliceDm, alice, `/subscribe ${CHANNEL_ID} 港聞台`);
    expect(added?.text).toBe('已把「港聞台」加到 @hknewschan（按摘要时间推送）。');
    expect(await channelSubs()).toEqual(['港聞台']);
    expect((await s.core.chats.get('telegram:3001'))?.subscriptions ?? []).toHaveLength(0);
    const [list] = await ask(s.fake, aliceDm, alice, `/list ${CHANNEL_ID}`);
    expect(list?.text).toContain('• 港聞台');
    expect(s.fake.callsTo('getChat').some((c) => String(c.params.chat_id) === String(CHANNEL_ID))).toBe(true);
  });

  it('refuses clearly: malformed references, unknown channels, users or bots that are not admins', async () => {
    expect((await ask(s.fake, aliceDm, alice, '/list @ab'))[0]?.text).toBe(
      '“@ab”不是频道：请用 @用户名 或频道的数字 ID（-100…）指明。',
    );
    expect((await ask(s.fake, bobDm, bob, '/time -100abc 08:00'))[0]?.text).toBe(
      '“-100abc” is not a channel: name it as @username or by its numeric id (-100…).',
    );
    expect((await ask(s.fake, bobDm, bob, '/list -1009999999999'))[0]?.text).toBe(
      'I cannot find the channel -1009999999999.',
    );
    expect((await ask(s.fake, bobDm, bob, '/subscribe @hknewschan 上海日报'))[0]?.text).toBe(
      'You and the bot must both be administrators of @hknewschan.',
    );
    expect((await ask(s.fake, bobDm, bob, `/export ${CHANNEL_ID}`))[0]?.text).toContain('must both be');
    expect(await channelSubs()).toEqual(['港聞台']);
    // Searches are not about a channel: `@…` stays search text.
    expect((await ask(s.fake, bobDm, bob, '/search @hknewschan'))[0]?.text).toContain('@hknewschan');
  });

  it('/export @channel sends the channel’s subscriptions as OPML to the private chat', async () => {
    await ask(s.fake, aliceDm, alice, `/subscribe ${shUrl}`);
    const [caption, doc] = await ask(s.fake, aliceDm, alice, '/export @hknewschan', 2);
    expect(caption?.text).toContain('OPML');
    const xml = doc?.document?.data?.toString() ?? '';
    expect(xml).toContain(`xmlUrl="${hkUrl}"`);
    expect(xml).not.toContain(shUrl);
    expect(s.fake.sentMessages(CHANNEL_ID)).toHaveLength(0);
  });

  it('an OPML file captioned with the channel imports into the channel; refusals import nothing', async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" text="上海日报" xmlUrl="${shUrl}"/></body></opml>`;
    s.fake.addFile('opml-chan', Buffer.from(opml), 'feeds.opml');
    const doc = { file_id: 'opml-chan', file_name: 'feeds.opml', mime_type: 'text/x-opml' };
    expect((await ask(s.fake, bobDm, bob, '@hknewschan', 1, { document: doc }))[0]?.text).toContain(
      'must both be administrators',
    );
    expect((await ask(s.fake, aliceDm, alice, '/import @x', 1, { document: doc }))[0]?.text).toContain(
      '不是频道',
    );
    expect(await channelSubs()).toEqual(['港聞台']);
    const [done] = await ask(s.fake, aliceDm, alice, `/import ${CHANNEL_ID}`, 1, { document: doc });
    expect(done?.text).toBe('已导入 1 个订阅（0 个失败）。');
    expect(await channelSubs()).toEqual(['港聞台', '上海日报']);
  });

  it('buttons on an answer about the channel act on the channel, and only for its admins', async () => {
    const [pick] = await ask(s.fake, aliceDm, alice, '/unsubscribe @hknewschan');
    const sh = buttons(pick).find((b) => b.text.includes('上海日报'));
    expect(sh?.callback_data).toMatch(new RegExp(`^ch${CHANNEL_ID}:unsub:`));
    // The private chat follows 上海日报 too: the button must not touch it.
    const before = s.fake.sentMessages(aliceDm.id).length;
    const answered = await press(aliceDm, alice, sh!.callback_data, pick!);
    expect(answered.params.text).toBe('已从 @hknewschan 移除「上海日报」。');
    expect(await channelSubs()).toEqual(['港聞台']);
    expect((await s.core.chats.get('telegram:3001'))?.subscriptions).toHaveLength(1);
    expect(s.fake.sentMessages(aliceDm.id)).toHaveLength(before);

    const [list] = await ask(s.fake, aliceDm, alice, '/sources @hknewschan');
    const add = buttons(list).find((b) => b.text.includes('上海日报'));
    // Alice is no longer an admin when she taps: refused, nothing changes.
    s.fake.setChatMember(CHANNEL_ID, alice.id, 'member');
    const refused = await press(aliceDm, alice, add!.callback_data, list!);
    expect(refused.params.text).toContain('都必须是');
    expect(await channelSubs()).toEqual(['港聞台']);
    s.fake.setChatMember(CHANNEL_ID, alice.id, 'administrator');
    const ok = await press(aliceDm, alice, add!.callback_data, list!);
    expect(ok.params.text).toContain('@hknewschan');
    expect(await channelSubs()).toEqual(['港聞台', '上海日报']);
  });

  it('commands posted in the channel by its admins are answered there', async () => {
    const posted = (text: string, n = 1) => {
      const before = s.fake.sentMessages(CHANNEL_ID).length;
      s.fake.postInChannel(channel, text, { author_signature: 'Alice' });
      return waitFor(() => {
        const sent = s.fake.sentMessages(CHANNEL_ID).slice(before);
        return sent.length >= n ? sent : undefined;
      }, 10_000);
    };
    const [list] = await posted('/list');
    expect(list?.text).toContain('• 港聞台');
    const [time] = await posted('/time 07:30');
    expect(time?.text).toContain('07:30');
    expect((await s.core.chats.get(key))?.digestTimes).toEqual(['07:30']);
    const [bad] = await posted('/time 25:00');
    expect(bad?.text).toContain('25:00');
    // Results in a channel carry no page buttons: every reader could flip the post for everyone.
    const [headlines] = await posted(`/headlines@${s.fake.botUser.username}`);
    expect(headlines?.text).toContain('天星小輪');
    expect(buttons(headlines)).toEqual([]);
    // Ordinary posts, commands for other bots and files without /import are not for the bot.
    const before = s.fake.calls.length;
    s.fake.postInChannel(channel, '今日要聞：天星小輪加班');
    s.fake.postInChannel(channel, '/list@other_bot');
    s.fake.addFile('opml-post', Buffer.from('<opml/>'), 'feeds.opml');
    s.fake.postInChannel(channel, '', { document: { file_id: 'opml-post', file_name: 'feeds.opml' } });
    const [last] = await posted('/list');
    expect(last?.text).toContain('• 港聞台');
    const between = s.fake.calls
      .slice(before)
      .filter((c) => c.method === 'sendMessage' || c.method === 'getFile');
    expect(between).toHaveLength(1);
  });

  it('buttons on a channel post work for the channel’s admins only; others get a private notice', async () => {
    const before = s.fake.sentMessages(CHANNEL_ID).length;
    s.fake.postInChannel(channel, '/unsubscribe');
    const pick = await waitFor(() => s.fake.sentMessages(CHANNEL_ID)[before], 10_000);
    const sh = buttons(pick).find((b) => b.text.includes('上海日报'));
    const tap = async (from: typeof alice) => {
      const id = s.fake.pressButton(channel, from, sh!.callback_data, pick.message_id);
      return waitFor(() =>
        s.fake.callsTo('answerCallbackQuery').find((c) => c.params.callback_query_id === id),
      );
    };
    const refused = await tap(bob);
    expect(refused.params.text).toBe('只有本群管理员可以更改设置。');
    expect(await channelSubs()).toEqual(['港聞台', '上海日报']);
    expect(s.fake.sentMessages(CHANNEL_ID)).toHaveLength(before + 1);
    await tap(alice);
    expect(await channelSubs()).toEqual(['港聞台']);
  });

  it('a channel post copied into the discussion group is not answered twice', async () => {
    const group = { id: -1005550001, type: 'supergroup' as const, title: 'Discussion' };
    s.fake.pushUpdate({
      message: {
        message_id: 7,
        date: Math.floor(Date.now() / 1000),
        chat: group,
        sender_chat: channel,
        is_automatic_forward: true,
        text: '/list',
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      },
    });
    // A later command in the same group is answered after the copy was handled (one lane per chat).
    const admin = { id: 3003, first_name: 'Carol', language_code: 'en' };
    const [help] = await ask(s.fake, group, admin, '/help');
    expect(help?.text).toContain('/timezone');
    expect(s.fake.sentMessages(group.id)).toHaveLength(1);
  });
});
