/**
 * Regional vocabulary and one story across regions, end to end on both platforms: one service
 * with the real telegraf and discord.js clients against their fakes, the core on real FerretDB
 * and Redis, feeds from a fake news site. `/search 特朗普` finds 川普 headlines (and `/search
 * 出租车` the 的士 one but not 的士兵), a subscription filter `+特朗普` lets a 川普 headline into
 * the digest, `/story` (by list number, by id, by button) shows each outlet's headline under its
 * region in the chat's language, and bad references get one line in the asker's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/i18n.ts';
import type { FakeDiscord, InteractInput } from '../fakes/discord-api.ts';
import { startFakeDiscord } from '../fakes/discord-api.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import type { SentMessage } from '../fakes/telegram-bot-api.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { startTestService, type TestService } from '../helpers/test-service.ts';
import { finalAnswer } from './discord-harness.ts';
import { ask } from './telegram-harness.ts';

const GUILD = '940000000000000001';
const CHANNEL = '940000000000000010';
const reader = { id: 6101, first_name: 'Mei', language_code: 'zh-hans' };
const dm = { id: 6101, type: 'private' as const, first_name: 'Mei' };
const MANAGE_CHANNELS = String(1n << 4n);

/** The same story from four outlets, in their own scripts. */
const STORY_CN = '李家超率团访问东盟三国 推动经贸合作';
const STORY_HANT = '李家超率團訪問東盟三國 推動經貿合作';

let tg: FakeTelegram;
let dc: FakeDiscord;
let site: NewsSite;
let app: TestService;
let storyId = '';

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const keyboard = (m: SentMessage | undefined) =>
  ((m?.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat();

async function telegram(text: string): Promise<SentMessage> {
  const [reply] = await ask(tg, dm, reader, text);
  return reply!;
}

/** The final Discord answer to an interaction in the zh-TW guild, asked by a zh-TW member. */
async function discord(input: Partial<InteractInput>) {
  const { token } = dc.interact({ type: 2, guildId: GUILD, channelId: CHANNEL, locale: 'zh-TW', ...input });
  return (await finalAnswer(dc, token)).last;
}

const discordSearch = (query: string) =>
  discord({ name: 'search', options: [{ name: 'query', type: 3, value: query }] });
const discordStory = (article: string) =>
  discord({ name: 'story', options: [{ name: 'article', type: 3, value: article }] });

beforeAll(async () => {
  tg = await startFakeTelegram();
  dc = await startFakeDiscord({ heartbeatIntervalMs: 1000 });
  dc.addGuild({
    id: GUILD,
    name: '兩岸新聞',
    preferredLocale: 'zh-TW',
    channels: [{ id: CHANNEL, name: 'news', type: 0 }],
    // The bot may post in the channel (its digest is checked below).
    roles: [{ id: '940000000000000100', name: 'bots', permissions: '8' }],
    members: [
      { user: { id: dc.applicationId, username: 'newsrelay', bot: true }, roles: ['940000000000000100'] },
    ],
  });
  site = await startNewsSite();
  const feed = (path: string, title: string, items: Array<{ title: string; slug: string; hours: number }>) =>
    site.route(path, {
      contentType: 'application/rss+xml',
      body: rss(
        title,
        items.map((i) => ({
          title: i.title,
          link: `${site.url}${path}/${i.slug}`,
          pubDate: hoursAgo(i.hours),
        })),
      ),
    });
  feed('/cn.xml', '新华社', [
    { title: STORY_CN, slug: 'story', hours: 5 },
    { title: '特朗普会见日本首相', slug: 'trump', hours: 6 },
    { title: '前线的士兵坚守阵地', slug: 'soldiers', hours: 7 },
    // The Taiwan feed's 川普 tariff story, in mainland words.
    { title: '特朗普宣布对进口汽车加征关税', slug: 'tariff', hours: 9 },
  ]);
  feed('/hk.xml', '明報', [
    { title: STORY_HANT, slug: 'story', hours: 4 },
    { title: '的士司機團體要求加價', slug: 'taxi', hours: 8 },
  ]);
  feed('/tw.xml', '中央社', [
    { title: STORY_HANT, slug: 'story', hours: 3 },
    { title: '川普宣布對進口汽車加徵關稅', slug: 'tariff', hours: 2 },
  ]);
  feed('/sg.xml', '联合早报', [{ title: STORY_CN, slug: 'story', hours: 1 }]);
  app = await startTestService({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.url,
    DISCORD_TOKEN: dc.token,
    DISCORD_APPLICATION_ID: dc.applicationId,
    DISCORD_API_ROOT: `${dc.url}/api`,
    DEFAULT_TIMEZONE: 'UTC',
  });
  await waitFor(() => app.service.telegram?.running && app.service.discord?.client.isReady(), 15_000);
  for (const path of ['/cn.xml', '/hk.xml', '/sg.xml']) await app.core.sources.add(`${site.url}${path}`);
  // The reader reads Simplified; the Taiwan feed comes in through a subscription, so that the
  // digest carries its items.
  await telegram('/script hans');
  await telegram(`/subscribe ${site.url}/tw.xml`);
  // The fake site is 127.0.0.1 (guessed overseas): the operator sets three; 联合早报 stays guessed.
  await app.core.sources.setRegion(`${site.url}/cn.xml`, 'mainland');
  await app.core.sources.setRegion(`${site.url}/hk.xml`, 'hk');
  await app.core.sources.setRegion(`${site.url}/tw.xml`, 'tw');
  const cn = await app.core.sources.find(`${site.url}/cn.xml`);
  storyId = (await app.core.headlines.query({ source: cn!.id, query: '东盟' })).items[0]!.id;
}, 60_000);

afterAll(async () => {
  await app?.cleanup();
  await tg?.close();
  await dc?.close();
  await site?.close();
});

describe('regional vocabulary in search and filters', () => {
  it('/search 特朗普 finds 川普 headlines on Telegram, in the chat’s script', async () => {
    const reply = await telegram('/search 特朗普');
    expect(reply.text).toContain('特朗普会见日本首相');
    expect(reply.text).toContain('川普宣布对进口汽车加征关税');
    // Three articles match; the two tariff reports are one story, shown once.
    expect(reply.text).toContain(
      t('zh-Hans', 'search.header', { query: '特朗普', from: 1, to: 2, total: 3 }),
    );
  });

  it('/search 出租车 finds the 的士 headline but not 的士兵, on Telegram and Discord alike', async () => {
    const reply = await telegram('/search 出租车');
    expect(reply.text).toContain('的士司机团体要求加价');
    expect(reply.text).not.toContain('士兵');
    const answer = await discordSearch('計程車');
    const urls = (answer.data.embeds as Array<{ url: string }>).map((e) => e.url);
    expect(urls).toEqual([`${site.url}/hk.xml/taxi`]);
  });

  it('/search 川普 on Discord finds the mainland 特朗普 headline', async () => {
    const answer = await discordSearch('川普');
    const urls = (answer.data.embeds as Array<{ url: string }>).map((e) => e.url).sort();
    expect(urls).toEqual([`${site.url}/cn.xml/trump`, `${site.url}/tw.xml/tariff`].sort());
  });

  it('a subscription filter +特朗普 lets the 川普 headline into the digest and keeps the rest out', async () => {
    const [set] = (await telegram('/filter 中央社 +特朗普')).text!.split('\n');
    expect(set).toBe(t('zh-Hans', 'subfilter.set', { name: '中央社', filters: '+特朗普' }));
    const before = tg.sentMessages(dm.id).length;
    tg.sendText(dm, reader, '/digest');
    const digest = await waitFor(
      () =>
        tg
          .sentMessages(dm.id)
          .slice(before)
          .find((m) => m.text?.includes('中央社') && m.text.includes('关税')),
      20_000,
    );
    expect(digest.text).toContain('川普宣布对进口汽车加征关税');
    expect(digest.text).not.toContain('李家超');
  });

  it('Discord: a channel feed’s exclude word 特朗普 keeps the 川普 headline out of its digest', async () => {
    const manage = {
      permissions: MANAGE_CHANNELS,
      resolved: {
        channels: { [CHANNEL]: { id: CHANNEL, type: 0, name: 'news', permissions: MANAGE_CHANNELS } },
      },
    };
    const feed = (sub: string, options: Array<{ name: string; type: number; value: string }>) =>
      discord({ name: 'feed', ...manage, options: [{ name: sub, type: 1, options }] });
    const channel = { name: 'channel', type: 7, value: CHANNEL };
    const source = { name: 'source', type: 3, value: '中央社' };
    await feed('add', [channel, source, { name: 'mode', type: 3, value: 'digest' }]);
    const set = await feed('filter', [channel, source, { name: 'exclude', type: 3, value: '特朗普' }]);
    expect(set.data.content).toBe(t('zh-Hant', 'subfilter.set', { name: '中央社', filters: '-特朗普' }));
    const before = dc.channelMessages(CHANNEL).length;
    expect(await app.core.digests.runNow(`discord:${CHANNEL}`)).toBe('queued');
    const posted = await waitFor(
      () =>
        dc
          .channelMessages(CHANNEL)
          .slice(before)
          .find((m) => m.embeds?.length),
      20_000,
    );
    const text = JSON.stringify(posted.embeds);
    expect(text).toContain('李家超率團訪問東盟三國');
    expect(text).not.toContain('川普');
  });
});

describe('/story: one story across regions', () => {
  it('Telegram: /story <number> from the last list shows each outlet under its region, in zh-Hans', async () => {
    const list = await telegram('/search 东盟');
    // Four articles match; the list shows their story once.
    expect(list.text).toContain(t('zh-Hans', 'search.header', { query: '东盟', from: 1, to: 1, total: 4 }));
    const reply = await telegram('/story 1');
    const text = reply.text ?? '';
    expect(text).toContain(t('zh-Hans', 'story.title', { outlets: 4 }));
    const order = ['中国大陆', '新华社', '香港', '明報', '台湾', '中央社', '海外', '联合早报'].map((w) =>
      text.indexOf(w),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every headline in the chat's script (Simplified), linked to its outlet's page.
    expect(text.match(/李家超率团访问东盟三国 推动经贸合作/g)).toHaveLength(4);
    expect(reply.entities?.some((e) => e.url === `${site.url}/tw.xml/story`)).toBe(true);
  });

  it('Telegram: the story button under a result sends the story as a new message', async () => {
    const list = await telegram('/search 李家超');
    const button = keyboard(list).find((b) => b.callback_data.startsWith('sty:'));
    expect(button?.text).toMatch(/^🌐 李家超/);
    const before = tg.sentMessages(dm.id).length;
    tg.pressButton(dm, reader, button!.callback_data, list.message_id);
    const story = await waitFor(() =>
      tg
        .sentMessages(dm.id)
        .slice(before)
        .find((m) => m.text?.includes('联合早报')),
    );
    expect(story.text).toContain(t('zh-Hans', 'story.title', { outlets: 4 }));
  });

  it('Discord: /story <id> answers in the member’s language and the guild’s script (zh-TW)', async () => {
    const answer = await discordStory(storyId);
    const embed = answer.data.embeds[0] as { title: string; description: string };
    expect(embed.title).toBe(t('zh-Hant', 'story.title', { outlets: 4 }));
    for (const w of ['中國大陸', '香港', '台灣', '海外', '新华社', '明報', '中央社', '联合早报'])
      expect(embed.description).toContain(w);
    expect(embed.description).toContain('李家超率團訪問東盟三國');
    expect(embed.description).not.toContain('李家超率团');
  });

  it('Discord: the story button under /search results answers with the story', async () => {
    const list = await discordSearch('東盟');
    const buttons = (list.data.components as Array<{ components: Array<{ custom_id: string }> }>).flatMap(
      (r) => r.components,
    );
    const storyButton = buttons.find((b) => b.custom_id.startsWith('sty:'));
    expect(storyButton).toBeDefined();
    const message = {
      id: '940000000000009999',
      channel_id: CHANNEL,
      guild_id: GUILD,
      type: 0,
      author: { id: dc.applicationId, username: 'bot', discriminator: '0', avatar: null, bot: true },
      content: list.data.content,
      embeds: list.data.embeds,
      components: list.data.components,
      attachments: [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      flags: 0,
    };
    const answer = await discord({ type: 3, customId: storyButton!.custom_id, message });
    expect(answer.data.embeds[0].title).toBe(t('zh-Hant', 'story.title', { outlets: 4 }));
  });

  it('one story told in different regional words is one story: mainland 特朗普 beside Taiwan 川普', async () => {
    await telegram('/search 关税');
    const text = (await telegram('/story 1')).text ?? '';
    expect(text).toContain(t('zh-Hans', 'story.title', { outlets: 2 }));
    const order = [
      '中国大陆',
      '特朗普宣布对进口汽车加征关税',
      '新华社',
      '台湾',
      '川普宣布对进口汽车加征关税',
      '中央社',
    ].map((w) => text.indexOf(w));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('a story only one outlet carries says so, and its headline gets no story button', async () => {
    const list = await telegram('/search 日本首相');
    expect(keyboard(list).some((b) => b.callback_data.startsWith('sty:'))).toBe(false);
    const text = (await telegram('/story 1')).text ?? '';
    expect(text).toContain(t('zh-Hans', 'story.title', { outlets: 1 }));
    expect(text).toContain('特朗普会见日本首相');
    expect(text).toContain(t('zh-Hans', 'story.single'));
  });

  it('a bad or unknown reference is one line in the asker’s language, on both platforms', async () => {
    await telegram('/search 东盟');
    expect((await telegram('/story 7')).text).toBe(t('zh-Hans', 'story.noNumber', { n: '7' }));
    expect((await telegram('/story nope')).text).toBe(t('zh-Hans', 'story.notFound', { ref: 'nope' }));
    expect((await telegram('/story')).text).toBe(t('zh-Hans', 'story.usage'));
    expect((await telegram('/story <b>x</b>')).text).toBe(
      t('zh-Hans', 'story.notFound', { ref: '<b>x</b>' }),
    );
    const missing = await discordStory('nope');
    expect(missing.data.flags).toBe(64);
    expect(missing.data.content).toBe(t('zh-Hant', 'story.notFound', { ref: 'nope' }));
    const number = await discordStory('99');
    expect(number.data.content).toBe(t('zh-Hant', 'story.noNumber', { n: '99' }));
  });
});
