/**
 * `/headlines` and `/search` page with buttons on Telegram, end to end (real telegraf ↔ fake Bot
 * API, which refuses callback data over 64 bytes, the service on real FerretDB + Redis): a page
 * button edits the one results message in place, a long Chinese query still fits its buttons, an
 * expired page says so in the reader's language, and button data the message does not carry
 * (forged by a client) does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAction } from '../../src/commands/command-actions.ts';
import type { SentMessage } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { cjkNoise } from '../helpers/cjk-noise.ts';
import { rss } from '../helpers/feeds.ts';
import { ask, type Stack, startStack } from './telegram-harness.ts';

const reader = { id: 5001, first_name: 'Mei', language_code: 'zh-hans' };
const dm = { id: 5001, type: 'private' as const, first_name: 'Mei' };
/** 24 Chinese characters: 72 bytes, more than a button's callback data may hold. */
const PHRASE = '粤港澳大湾区跨境金融互联互通试点扩大至更多城市';

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const keyboard = (m: SentMessage | undefined) =>
  (m?.reply_markup as Keyboard | undefined)?.inline_keyboard ?? [];
const labels = (m: SentMessage | undefined) =>
  keyboard(m)
    .flat()
    .map((b) => b.text);
const button = (m: SentMessage | undefined, text: string) =>
  keyboard(m)
    .flat()
    .find((b) => b.text === text);

describe('telegram result pages', () => {
  let s: Stack;

  /** Press `data` on message `m`; returns the answer to the press and the message afterwards. */
  const press = async (m: SentMessage, data: string) => {
    const sentBefore = s.fake.sentMessages(dm.id).length;
    const id = s.fake.pressButton(dm, reader, data, m.message_id);
    const answer = await waitFor(() =>
      s.fake.callsTo('answerCallbackQuery').find((c) => c.params.callback_query_id === id),
    );
    // A press is answered after its edit: the message is final now.
    const now = s.fake.sentMessages(dm.id);
    expect(now).toHaveLength(sentBefore); // a page press never sends a new message
    return { answer, message: now.find((x) => x.message_id === m.message_id)! };
  };

  beforeAll(async () => {
    s = await startStack();
    const now = Date.now();
    s.site.route('/long.xml', {
      contentType: 'application/rss+xml',
      // Long titles and very long links: the old renderer split such a page over several messages.
      body: rss(
        '长稿通讯社',
        Array.from({ length: 25 }, (_, n) => ({
          title: `长标题第${n}则 ${cjkNoise(n + 1, 290)}`,
          link: `${s.site.url}/news/2026/12/03/${'a'.repeat(600)}-${n}.html`,
          pubDate: new Date(now - n * 60_000),
        })),
      ),
    });
    s.site.route('/bay.xml', {
      contentType: 'application/rss+xml',
      body: rss(
        '湾区日报',
        Array.from({ length: 15 }, (_, n) => ({
          title: `${PHRASE}第${n}批 ${cjkNoise(1000 + n, 40)}`,
          link: `${s.site.url}/bay/${n}.html`,
          pubDate: new Date(now - 3_600_000 - n * 60_000),
        })),
      ),
    });
    await s.core.sources.add(`${s.site.url}/long.xml`);
    await s.core.sources.add(`${s.site.url}/bay.xml`);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('/headlines: Next and Previous edit the one results message in place', async () => {
    const [page1] = await ask(s.fake, dm, reader, '/headlines');
    expect(page1?.text).toContain('第 1–10 条，共 40 条');
    expect(labels(page1)).toEqual(['第 1/4 页', '下一页']);
    const next = await press(page1!, button(page1, '下一页')!.callback_data);
    expect(next.message).toMatchObject({ edited: true });
    expect(next.message.text).toContain('第 11–20 条，共 40 条');
    expect(labels(next.message)).toEqual(['上一页', '第 2/4 页', '下一页']);
    const back = await press(page1!, button(next.message, '上一页')!.callback_data);
    expect(back.message.text).toContain('第 1–10 条，共 40 条');
    expect(back.message.text).toBe(page1?.text);
  });

  it('a page of long titles and links is one message, so paging replaces all of it', async () => {
    const before = s.fake.sentMessages(dm.id).length;
    const [page1] = await ask(s.fake, dm, reader, '/search 长标题');
    await new Promise((r) => setTimeout(r, 300));
    expect(s.fake.sentMessages(dm.id)).toHaveLength(before + 1);
    // Full titles: link targets do not count against Telegram's 4,096 characters.
    expect(page1?.text).toContain(`长标题第0则 ${cjkNoise(1, 290)}`);
    expect(page1?.text?.match(/长标题第\d+则/g)).toHaveLength(10);
    const next = await press(page1!, button(page1, '下一页')!.callback_data);
    expect(next.message.text?.match(/长标题第\d+则/g)).toHaveLength(10);
    expect(next.message.text).toContain('长标题第10则');
    expect(next.message.text).not.toContain('长标题第0则');
  });

  it('a long Chinese query keeps its buttons within 64 bytes; its page expires with a notice in the reader’s language', async () => {
    const [page1] = await ask(s.fake, dm, reader, `/search ${PHRASE}`);
    expect(page1?.text).toContain('第 1–10 条，共 15 条');
    const data = keyboard(page1)
      .flat()
      .map((b) => b.callback_data);
    expect(data.every((d) => Buffer.byteLength(d) <= 64)).toBe(true);
    const next = await press(page1!, button(page1, '下一页')!.callback_data);
    expect(next.message.text).toContain('第 11–15 条，共 15 条');
    expect(labels(next.message)).toEqual(['上一页', '第 2/2 页']);
    // Long queries wait in a bounded cache; 5,000 later ones push this one out.
    for (let n = 0; n < 5001; n++) {
      encodeAction({
        kind: 'page',
        state: { kind: 's', offset: 10, limit: 10, sinceMs: 0, sourceId: '', query: `${PHRASE}${n}` },
      });
    }
    const expired = await press(page1!, button(next.message, '上一页')!.callback_data);
    expect(expired.answer.params.text).toBe('这个结果页已过期，请重新执行命令。');
    expect(expired.message.text).toBe(next.message.text);
  });

  it('button data the message does not carry does nothing', async () => {
    const [page1] = await ask(s.fake, dm, reader, '/headlines');
    const source = await s.core.sources.find('湾区日报');
    for (const forged of [
      encodeAction({ kind: 'subscribe', sourceId: source!.id }),
      'pg:h:0:zzzzzz:0::',
      `pg:s:a:a:0::${'x'.repeat(40)}`,
      'noop',
      '💥',
    ]) {
      const { answer, message } = await press(page1!, forged);
      // A page button that is not there (forged, or on a message Telegram no longer shows) is stale.
      expect(answer.params.text).toBe(
        forged.startsWith('pg:') ? '这个结果页已过期，请重新执行命令。' : undefined,
      );
      expect(message.text).toBe(page1?.text);
      expect(message.edited).toBeUndefined();
    }
    expect((await s.core.chats.get(`telegram:${dm.id}`))?.subscriptions ?? []).toHaveLength(0);
    // The page counter is a button of the message: pressing it is answered and changes nothing.
    const counter = await press(page1!, button(page1, '第 1/4 页')!.callback_data);
    expect(counter.message.text).toBe(page1?.text);
  });
});
