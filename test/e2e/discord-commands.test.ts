/**
 * The Discord adapter end to end: the real discord.js client against the fake Discord REST API and
 * gateway, the real core on its own FerretDB database, feeds from a fake news site.
 * Covers /headlines (embeds, script, time zone, pagination, autocomplete), /search, /sources, /article.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAction, encodeAction, type PageState } from '../../src/commands/command-actions.ts';
import type { InteractInput } from '../fakes/discord-api.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { type DiscordStack, finalAnswer, startDiscordStack } from './discord-harness.ts';

const GUILD = '910000000000000001';
const NEWS = '910000000000000010';

let d: DiscordStack;
let hkSourceId = '';

const run = (input: Partial<InteractInput>) => d.interact(input);

beforeAll(async () => {
  const items = Array.from({ length: 12 }, (_, n) => ({
    title: `上海新闻第${n + 1}条：地铁线路调整`,
    link: `https://sh.example.cn/${n + 1}.htm`,
    pubDate: hoursAgo(n + 1),
  }));
  d = await startDiscordStack({
    guild: {
      id: GUILD,
      name: '新闻测试',
      preferredLocale: 'zh-CN',
      channels: [{ id: NEWS, name: 'news', type: 0 }],
    },
    channelId: NEWS,
    locale: 'zh-CN',
    feeds: [
      {
        path: '/sh.xml',
        body: rss('上海日报', [
          ...items,
          {
            title: '**突发** <@&123> @everyone [点我](http://evil.example) 测试',
            link: 'https://sh.example.cn/md.htm',
            pubDate: hoursAgo(30),
          },
        ]),
      },
      {
        path: '/hk.xml',
        body: rss('香港新聞', [
          {
            title: '李家超參觀香港抗戰及海防博物館',
            link: 'https://hk.example.com/1.htm',
            pubDate: hoursAgo(2),
            description: '行政長官李家超今日參觀香港抗戰及海防博物館，了解抗戰歷史。',
          },
        ]),
      },
      {
        path: '/cn.xml',
        body: rss('内地新闻', [
          {
            title: '李家超参观香港抗战及海防博物馆',
            link: 'https://cn.example.cn/1.htm',
            pubDate: hoursAgo(3),
            description: '行政长官李家超今日参观香港抗战及海防博物馆，了解抗战历史。',
          },
        ]),
      },
    ],
  });
  hkSourceId = d.sourceIds.get('/hk.xml')!;
});

afterAll(async () => {
  await d?.close();
});

describe('Discord slash commands', () => {
  it('registers every command at start-up with zh-CN, zh-TW and en-US names and descriptions', () => {
    const put = d.fake.restTo('PUT', new RegExp(`^/applications/${d.fake.applicationId}/commands$`));
    expect(put).toHaveLength(1);
    const cmds = d.fake.registeredCommands();
    expect(cmds.map((c) => c.name).sort()).toEqual([
      'article',
      'feed',
      'headlines',
      'search',
      'settings',
      'sources',
      'story',
    ]);
    for (const c of cmds) {
      expect(Object.keys(c.name_localizations).sort()).toEqual(['en-US', 'zh-CN', 'zh-TW']);
      expect(Object.keys(c.description_localizations).sort()).toEqual(['en-US', 'zh-CN', 'zh-TW']);
    }
    const search = cmds.find((c) => c.name === 'search');
    expect(search.name_localizations).toMatchObject({ 'zh-CN': '搜索', 'zh-TW': '搜尋' });
    expect(search.options.find((o: { name: string }) => o.name === 'source').autocomplete).toBe(true);
  });

  it('/headlines answers with embeds: linked titles, source, time in the guild zone, in the guild script', async () => {
    const { last, firstAt } = await run({
      name: 'headlines',
      options: [{ name: 'limit', type: 4, value: 10 }],
    });
    expect(firstAt).toBeLessThan(3000);
    expect(last.data.allowed_mentions).toEqual({ parse: [] });
    const embeds = last.data.embeds as Array<{ title: string; url: string; description: string }>;
    expect(embeds).toHaveLength(10);
    const hk = embeds.find((e) => e.url === 'https://hk.example.com/1.htm');
    // zh-CN guild → Simplified; default zone Asia/Shanghai
    expect(hk?.title).toBe('李家超参观香港抗战及海防博物馆');
    expect(hk?.description).toContain('香港新聞');
    expect(hk?.description).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(last.data.components[0].components.map((c: { label: string }) => c.label)).toEqual([
      '上一页',
      '第 1/2 页',
      '下一页',
    ]);
  });

  it('escapes markdown in feed titles and never pings', async () => {
    const { last } = await run({
      name: 'search',
      options: [{ name: 'query', type: 3, value: '突发' }],
    });
    const embed = last.data.embeds[0];
    expect(embed.title).toBe('\\*\\*突发\\*\\* \\<@&123> @everyone \\[点我\\]\\(http://evil.example\\) 测试');
    expect(last.data.allowed_mentions).toEqual({ parse: [] });
  });

  it('Previous / Next buttons edit the message; custom_id stays within 100 characters', async () => {
    const first = await run({ name: 'headlines', options: [{ name: 'limit', type: 4, value: 4 }] });
    const row = first.last.data.components[0].components as Array<{ custom_id: string; disabled: boolean }>;
    expect(row[0]!.disabled).toBe(true);
    const next = row[2]!;
    expect(next.custom_id.length).toBeLessThanOrEqual(100);
    const message = {
      id: '910000000000009999',
      channel_id: NEWS,
      guild_id: GUILD,
      type: 0,
      author: { id: d.fake.applicationId, username: 'bot', discriminator: '0', avatar: null, bot: true },
      content: first.last.data.content,
      embeds: first.last.data.embeds,
      components: first.last.data.components,
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
    const page2 = await run({ type: 3, customId: next.custom_id, message });
    expect(page2.last).toMatchObject({ kind: 'callback', type: 7 });
    const titles1 = first.last.data.embeds.map((e: { url: string }) => e.url);
    const titles2 = page2.last.data.embeds.map((e: { url: string }) => e.url);
    expect(titles2).toHaveLength(4);
    expect(titles2.some((u: string) => titles1.includes(u))).toBe(false);
    expect(page2.last.data.content).toContain('5–8');
    const prev = page2.last.data.components[0].components[0];
    expect(prev.disabled).toBe(false);
    const back = await run({ type: 3, customId: prev.custom_id, message });
    expect(back.last.data.embeds.map((e: { url: string }) => e.url)).toEqual(titles1);
  });

  it('pagination state round-trips, long queries included', () => {
    const s: PageState = {
      kind: 's' as const,
      offset: 20,
      limit: 5,
      sinceMs: 86_400_000,
      sourceId: 'abcdefghijkl',
      query: '李家超',
    };
    const page = (state: PageState) => encodeAction({ kind: 'page', state });
    expect(decodeAction(page(s))).toEqual({ kind: 'page', state: s });
    const long = { ...s, query: '香港'.repeat(60) };
    const id = page(long);
    // Telegram's callback data is the tighter limit (64 bytes); Discord allows 100 characters.
    expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
    expect(decodeAction(id)).toEqual({ kind: 'page', state: long });
    expect(decodeAction('pg:x:1')).toBeNull();
  });

  it('source autocomplete offers at most 25 matching sources', async () => {
    const { token } = d.fake.interact({
      type: 4,
      name: 'headlines',
      guildId: GUILD,
      channelId: NEWS,
      options: [{ name: 'source', type: 3, value: '香港', focused: true }],
    });
    const { last } = await finalAnswer(d.fake, token);
    expect(last.type).toBe(8);
    expect(last.data.choices).toEqual([{ name: '香港新聞', value: hkSourceId }]);
  });

  it('/headlines source filter and unknown source', async () => {
    const ok = await run({ name: 'headlines', options: [{ name: 'source', type: 3, value: hkSourceId }] });
    expect(ok.last.data.embeds).toHaveLength(1);
    const bad = await run({ name: 'headlines', options: [{ name: 'source', type: 3, value: '不存在' }] });
    expect(bad.last.data.flags).toBe(64);
    expect(bad.last.data.content).toContain('找不到新闻源');
  });

  it('/search is script-insensitive and folds near-duplicates', async () => {
    const { last } = await run({
      name: 'search',
      locale: 'zh-TW',
      options: [{ name: 'query', type: 3, value: '李家超参观' }],
    });
    expect(last.data.embeds).toHaveLength(1);
    expect(last.data.content).toContain('搜尋結果');
  });

  it('/search with no results answers kindly; absurd queries get a clear ephemeral error', async () => {
    const none = await run({
      name: 'search',
      locale: 'en-US',
      options: [{ name: 'query', type: 3, value: '火星移民' }],
    });
    expect(none.last.data.content).toBe('Nothing found for “火星移民”. Try another keyword?');
    const long = await run({
      name: 'search',
      locale: 'en-US',
      options: [{ name: 'query', type: 3, value: '新'.repeat(5000) }],
    });
    expect(long.last.data.flags).toBe(64);
    expect(long.last.data.content).toMatch(/longer than 200/);
    const ctrl = await run({
      name: 'search',
      options: [{ name: 'query', type: 3, value: '上海\u0007新闻' }],
    });
    expect(ctrl.last.data.flags).toBe(64);
    expect(ctrl.last.data.content).toContain('控制字符');
    const since = await run({
      name: 'search',
      options: [
        { name: 'query', type: 3, value: '上海' },
        { name: 'since', type: 3, value: '昨天' },
      ],
    });
    expect(since.last.data.content).toContain('无法理解时间范围');
  });

  it('/sources lists sources with their health', async () => {
    const { last } = await run({ name: 'sources', locale: 'en-US' });
    const d = last.data.embeds[0].description as string;
    expect(d).toContain('上海日报');
    expect(d).toContain('香港新聞');
    expect(d).toContain('✅ healthy');
  });

  it('/article shows the summary and the other sources that reported it', async () => {
    const page = await d.core.headlines.query({ source: hkSourceId });
    const id = page.items[0]!.id;
    const { last } = await run({
      name: 'article',
      locale: 'zh-TW',
      options: [{ name: 'id', type: 3, value: id }],
    });
    const e = last.data.embeds[0];
    // the guild (zh-CN) reads Simplified, whatever the member's own locale
    expect(e.title).toBe('李家超参观香港抗战及海防博物馆');
    expect(e.description).toContain('了解抗战历史');
    expect(e.fields.find((f: { name: string }) => f.name === '其他報導來源')?.value).toBe('内地新闻');
    const missing = await run({ name: 'article', options: [{ name: 'id', type: 3, value: 'nope' }] });
    expect(missing.last.data.flags).toBe(64);
    expect(missing.last.data.content).toContain('找不到编号为 nope 的文章');
  });

  it('never writes the bot token into an answer', () => {
    for (const r of d.fake.rest) {
      if (r.path.includes('/callback') || r.path.startsWith('/webhooks')) {
        expect(JSON.stringify(r.body ?? '')).not.toContain(d.fake.token);
      }
    }
  });
});
