import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Input, Markup, Telegraf, TelegramError } from 'telegraf';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { parseTelegramHtml } from '../fakes/telegram-html-validator.ts';
import { waitFor } from '../fakes/wait-for.ts';

const alice = { id: 1001, first_name: 'Alice', language_code: 'zh-hans' };
const privateChat = { id: 1001, type: 'private' as const, first_name: 'Alice' };

/** The rejection of `promise`, checked to be a TelegramError. */
async function telegramError(promise: Promise<unknown>): Promise<TelegramError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TelegramError);
  return error as TelegramError;
}

describe('fake Telegram Bot API with the real telegraf', () => {
  let fake: FakeTelegram;
  let bot: Telegraf;
  let launched: Promise<void>;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } });
    bot.command('start', (ctx) =>
      ctx.reply('hi', Markup.inlineKeyboard([Markup.button.callback('More', 'more')])),
    );
    bot.action('more', async (ctx) => {
      await ctx.answerCbQuery('ok');
      await ctx.editMessageText('<b>more</b>', { parse_mode: 'HTML' });
    });
    launched = bot.launch();
    // polling has started once telegraf holds its first long getUpdates
    await waitFor(() => fake.callsTo('getUpdates').some((c) => c.params.timeout === 50));
  });

  afterAll(async () => {
    bot.stop('test end');
    await launched;
    await fake.close();
  });

  beforeEach(() => {
    fake.setRateLimit(null);
  });

  it('launches with getMe → deleteWebhook → getUpdates and answers /start', async () => {
    expect(fake.calls.slice(0, 3).map((c) => c.method)).toEqual(['getMe', 'deleteWebhook', 'getUpdates']);
    fake.sendText(privateChat, alice, '/start');
    const [reply] = await waitFor(() => {
      const sent = fake.sentMessages(privateChat.id);
      return sent.length > 0 ? sent : undefined;
    });
    expect(reply).toMatchObject({ chat_id: 1001, message_id: 2, text: 'hi' });
    expect(reply?.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'More', callback_data: 'more', hide: false }]],
    });
    // the update was confirmed by the next poll's offset
    await waitFor(() => fake.pendingUpdates().length === 0);
  });

  it('delivers a button press, answers it and edits the message', async () => {
    const [message] = fake.sentMessages(privateChat.id);
    fake.pressButton(privateChat, alice, 'more', message?.message_id ?? 0);
    await waitFor(() => fake.callsTo('editMessageText').length === 1);
    expect(fake.callsTo('answerCallbackQuery')[0]?.params).toMatchObject({ text: 'ok' });
    expect(fake.sentMessages(privateChat.id)[0]).toMatchObject({
      text: 'more',
      parse_mode: 'HTML',
      entities: [{ type: 'bold', offset: 0, length: 4 }],
      edited: true,
    });
    const again = await telegramError(
      bot.telegram.editMessageText(1001, message?.message_id, undefined, '<b>more</b>', {
        parse_mode: 'HTML',
      }),
    );
    expect(again.description).toMatch(/^Bad Request: message is not modified/);
  });

  it('injected 429 rejects with code and retry_after', async () => {
    fake.failNext('sendMessage', { error_code: 429, retry_after: 7 });
    const error = await telegramError(bot.telegram.sendMessage(1001, 'x'));
    expect(error.code).toBe(429);
    expect(error.parameters?.retry_after).toBe(7);
    expect(error.description).toBe('Too Many Requests: retry after 7');
    await expect(bot.telegram.sendMessage(1001, 'x')).resolves.toMatchObject({ text: 'x' });
  });

  it("injected 403, 400 and 5xx look like Telegram's", async () => {
    fake.failNext('*', { error_code: 403 });
    expect((await telegramError(bot.telegram.sendMessage(1001, 'x'))).description).toBe(
      'Forbidden: bot was blocked by the user',
    );
    fake.failNext('sendMessage', { error_code: 400, description: 'chat not found' });
    expect((await telegramError(bot.telegram.sendMessage(1001, 'x'))).description).toBe(
      'Bad Request: chat not found',
    );
    fake.failNext('sendMessage', { error_code: 502 }, 2);
    expect((await telegramError(bot.telegram.sendMessage(1001, 'x'))).code).toBe(502);
    expect((await telegramError(bot.telegram.sendMessage(1001, 'x'))).description).toBe('Bad Gateway');
  });

  it('rejects invalid HTML with 400 like Telegram', async () => {
    const cases: Array<[string, string]> = [
      ['<b>bold', `Can't find end tag corresponding to start tag "b"`],
      ['<p>para</p>', 'Unsupported start tag "p" at byte offset 0'],
      ['1 < 2', 'Unsupported start tag "" at byte offset 2'],
      ['新闻<br>', 'Unsupported start tag "br" at byte offset 6'],
      ['<b><i>x</b></i>', 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'],
      ['x</b>', 'Unexpected end tag at byte offset 1'],
      ['<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
      ['a&nbsp;b', 'Unsupported HTML entity "&nbsp;" at byte offset 1'],
      ['AT&T', 'Character "&" must be escaped as "&amp;" at byte offset 2'],
    ];
    for (const [html, message] of cases) {
      const error = await telegramError(bot.telegram.sendMessage(1001, html, { parse_mode: 'HTML' }));
      expect(error.code).toBe(400);
      expect(error.description).toBe(`Bad Request: can't parse entities: ${message}`);
    }
    const ok =
      '<b>b</b><strong>s</strong><i>i</i><u>u</u><s>s</s><tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span>' +
      '<a href="https://e.com/?a=1&amp;b=2">l</a><code>c</code><pre><code class="language-ts">p</code></pre>' +
      '<blockquote expandable>q</blockquote> &lt;&gt;&amp;&quot;&#39;&#x1F600;';
    const sent = await bot.telegram.sendMessage(1001, ok, { parse_mode: 'HTML' });
    expect(sent.text).toBe('bsiusxylcpq <>&"\'😀');
    expect(sent.entities).toContainEqual({ type: 'pre', offset: 9, length: 1, language: 'ts' });
    expect(sent.entities).toContainEqual({
      type: 'text_link',
      offset: 7,
      length: 1,
      url: 'https://e.com/?a=1&b=2',
    });
    expect(parseTelegramHtml('AT&T', false)).toMatchObject({ ok: true, text: 'AT&T' });
  });

  it('checks length after entity parsing, in UTF-16 code units', async () => {
    const long = await telegramError(bot.telegram.sendMessage(1001, 'x'.repeat(5000)));
    expect(long.code).toBe(400);
    expect(long.description).toBe('Bad Request: message is too long');
    await expect(
      bot.telegram.sendMessage(1001, '&amp;'.repeat(4096), { parse_mode: 'HTML' }),
    ).resolves.toBeTruthy();
    const emoji = await telegramError(bot.telegram.sendMessage(1001, '😀'.repeat(2049)));
    expect(emoji.description).toBe('Bad Request: message is too long');
    const empty = await telegramError(bot.telegram.sendMessage(1001, '<b> </b>', { parse_mode: 'HTML' }));
    expect(empty.description).toBe('Bad Request: message text is empty');
  });

  it('records a multipart sendDocument with the file, and serves it back via getFile', async () => {
    const opml = Buffer.from('<?xml version="1.0"?><opml version="2.0"><body/></opml>');
    const message = await bot.telegram.sendDocument(1001, Input.fromBuffer(opml, 'feeds.opml'), {
      caption: '<b>订阅</b>',
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([Markup.button.callback('OK', 'ok')]),
    });
    const [call] = fake.callsTo('sendDocument');
    expect(call?.params).toMatchObject({ chat_id: 1001, caption: '<b>订阅</b>', parse_mode: 'HTML' });
    expect(call?.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'OK', callback_data: 'ok', hide: false }]],
    });
    expect(call?.files?.[0]).toMatchObject({ field: 'document', filename: 'feeds.opml' });
    expect(call?.files?.[0]?.data.equals(opml)).toBe(true);
    expect(message.caption).toBe('订阅');
    expect(message.document.file_name).toBe('feeds.opml');
    const link = await bot.telegram.getFileLink(message.document.file_id);
    expect(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(opml)).toBe(true);
  });

  it('lets the bot download a document the user sent', async () => {
    fake.addFile('user-opml', Buffer.from('<opml/>'), 'mine.opml');
    const file = await bot.telegram.getFile('user-opml');
    expect(file.file_path).toMatch(/^documents\/file_\d+\.opml$/);
    const res = await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path}`);
    expect(await res.text()).toBe('<opml/>');
    expect((await telegramError(bot.telegram.getFile('nope'))).description).toBe(
      'Bad Request: invalid file_id',
    );
  });

  it('enforces rate limits with retry_after', async () => {
    fake.setRateLimit({ perChatPerSecond: 1 });
    await bot.telegram.sendMessage(2002, 'one');
    const error = await telegramError(bot.telegram.sendMessage(2002, 'two'));
    expect(error.code).toBe(429);
    expect(error.parameters?.retry_after).toBe(1);
    await expect(bot.telegram.sendMessage(2003, 'other chat')).resolves.toBeTruthy();
    fake.setRateLimit({ perSecond: 2 });
    await bot.telegram.sendMessage(3001, 'a');
    await bot.telegram.sendMessage(3002, 'b');
    expect((await telegramError(bot.telegram.sendMessage(3003, 'c'))).code).toBe(429);
  });

  it('knows chats: threads, blocked users, getChat by username, members', async () => {
    fake.setChat({ id: -100500, type: 'supergroup', title: 'Forum', is_forum: true });
    fake.setChat({ id: -100600, type: 'channel', title: 'News', username: 'newschan' });
    await expect(bot.telegram.sendMessage(-100500, 't', { message_thread_id: 7 })).resolves.toMatchObject({
      message_thread_id: 7,
    });
    const thread = await telegramError(bot.telegram.sendMessage(-100600, 't', { message_thread_id: 7 }));
    expect(thread.description).toBe('Bad Request: message thread not found');
    expect(await bot.telegram.getChat('@newschan')).toMatchObject({ id: -100600, type: 'channel' });
    fake.setChatMember('@newschan', fake.botUser.id, 'administrator');
    expect(await bot.telegram.getChatMember(-100600, fake.botUser.id)).toMatchObject({
      status: 'administrator',
    });
    expect(await bot.telegram.getChatAdministrators(-100600)).toHaveLength(1);
    fake.blockChat(4004);
    const blocked = await telegramError(bot.telegram.sendMessage(4004, 'x'));
    expect([blocked.code, blocked.description]).toEqual([403, 'Forbidden: bot was blocked by the user']);
    fake.strictChats = true;
    expect((await telegramError(bot.telegram.getChat(5005))).description).toBe('Bad Request: chat not found');
    fake.strictChats = false;
  });

  it('answers a wrong token with 401 and records commands', async () => {
    const other = new Telegraf('999:WRONG', { telegram: { apiRoot: fake.url } });
    const error = await telegramError(other.telegram.getMe());
    expect([error.code, error.description]).toEqual([401, 'Unauthorized']);
    await bot.telegram.setMyCommands([{ command: 'start', description: '开始' }], { language_code: 'zh' });
    expect(await bot.telegram.getMyCommands({ language_code: 'zh' })).toEqual([
      { command: 'start', description: '开始' },
    ]);
    expect(await bot.telegram.getMyCommands()).toEqual([]);
  });
});

describe('fake Telegram Bot API in webhook mode', () => {
  it('POSTs updates with the secret token and runs webhook replies', async () => {
    const fake = await startFakeTelegram();
    const bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } });
    bot.action('go', (ctx) => ctx.answerCbQuery('done'));
    const server = createServer(bot.webhookCallback('/hook', { secretToken: 's3cret' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await bot.telegram.setWebhook(`http://127.0.0.1:${port}/hook`, { secret_token: 's3cret' });
      const polling = await telegramError(bot.telegram.getUpdates(0, 1, 0, undefined));
      expect(polling.code).toBe(409);
      fake.pressButton(privateChat, alice, 'go', 1);
      // answerCallbackQuery travels back in the webhook's HTTP answer (telegraf's webhookReply)
      await waitFor(() => fake.callsTo('answerCallbackQuery').length === 1);
      expect(fake.callsTo('answerCallbackQuery')[0]?.params).toMatchObject({ text: 'done' });
      expect(fake.pendingUpdates()).toEqual([]);
      expect((await bot.telegram.getWebhookInfo()).url).toBe(`http://127.0.0.1:${port}/hook`);
    } finally {
      server.close();
      await fake.close();
    }
  });
});
