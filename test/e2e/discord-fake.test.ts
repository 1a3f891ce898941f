import { inflateSync } from 'node:zlib';
import {
  type AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord-api.ts';
import { waitFor } from '../fakes/wait-for.ts';

const GUILD = '900000000000000001';
const NEWS = '900000000000000010';
const ANNOUNCE = '900000000000000011';
const FORUM = '900000000000000012';
const THREAD = '900000000000000013';
const GONE = '900000000000000014';

let fake: FakeDiscord;
let client: Client;

function nextInteraction<T extends Interaction>(pred: (i: Interaction) => i is T): Promise<T> {
  return new Promise((resolve) => {
    const listener = (i: Interaction) => {
      if (!pred(i)) return;
      client.off(Events.InteractionCreate, listener);
      resolve(i);
    };
    client.on(Events.InteractionCreate, listener);
  });
}

beforeAll(async () => {
  fake = await startFakeDiscord({ heartbeatIntervalMs: 500 });
  fake.addGuild({
    id: GUILD,
    name: '新闻测试',
    preferredLocale: 'zh-CN',
    channels: [
      { id: NEWS, name: 'news', type: 0 },
      { id: ANNOUNCE, name: 'announcements', type: 5 },
      { id: FORUM, name: 'forum', type: 15 },
      { id: THREAD, name: 'thread', type: 11, parent_id: NEWS },
      { id: GONE, name: 'gone', type: 0 },
    ],
    roles: [{ id: '900000000000000100', name: 'mods', permissions: '8' }],
  });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: `${fake.url}/api` } });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(fake.token);
  await ready;
});

afterAll(async () => {
  await client?.destroy();
  await fake?.close();
});

describe('fake Discord with the real discord.js client', () => {
  it('logs in: READY, guild and channel caches', async () => {
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(GUILD);
    expect(guild?.name).toBe('新闻测试');
    expect(guild?.preferredLocale).toBe('zh-CN');
    expect(guild?.members.me?.id).toBe(fake.botUser.id);
    expect(client.channels.cache.get(NEWS)?.isTextBased()).toBe(true);
    expect(client.channels.cache.get(ANNOUNCE)?.type).toBe(5);
    expect(client.channels.cache.get(FORUM)?.type).toBe(15);
    expect(client.channels.cache.get(THREAD)?.isThread()).toBe(true);
    expect(fake.restTo('GET', /^\/gateway\/bot$/)).toHaveLength(1);
    expect(fake.gateway.identifies).toBe(1);
    const channel = client.channels.cache.get(NEWS) as TextChannel;
    expect(channel.permissionsFor(guild!.members.me!).has('SendMessages')).toBe(true);
    // heartbeats are answered (interval 500 ms, first one jittered)
    await waitFor(() => client.ws.ping >= 0, 3000);
  });

  it('registers commands and rejects invalid ones (50035)', async () => {
    const cmds = await client.application!.commands.set([
      {
        name: 'subscribe',
        description: 'Subscribe to a feed',
        nameLocalizations: { 'zh-CN': '订阅', 'zh-TW': '訂閱' },
        descriptionLocalizations: { 'zh-CN': '订阅新闻源' },
        options: [{ name: 'url', description: 'Feed URL', type: 3, required: true, autocomplete: true }],
      },
    ]);
    expect(cmds.size).toBe(1);
    expect(fake.registeredCommands().map((c) => c.name)).toEqual(['subscribe']);
    const bad = client.application!.commands.set([{ name: 'Bad Name', description: 'x' }]);
    await expect(bad).rejects.toMatchObject({ code: 50035 });
    const badLocale = client.application!.commands.set([
      { name: 'ok', description: 'x', nameLocalizations: { zh: '好' } as never },
    ]);
    await expect(badLocale).rejects.toBeInstanceOf(DiscordAPIError);
  });

  it('delivers a slash command as ChatInputCommandInteraction and records reply() in time', async () => {
    const got = nextInteraction((i): i is ChatInputCommandInteraction => i.isChatInputCommand());
    const { token } = fake.interact({
      type: 2,
      name: 'subscribe',
      guildId: GUILD,
      channelId: NEWS,
      locale: 'zh-TW',
      permissions: '8',
      options: [{ name: 'url', type: 3, value: 'https://example.com/rss' }],
    });
    const i = await got;
    expect(i).toBeInstanceOf(ChatInputCommandInteraction);
    expect(i.commandName).toBe('subscribe');
    expect(i.options.getString('url')).toBe('https://example.com/rss');
    expect(i.locale).toBe('zh-TW');
    expect(i.guildLocale).toBe('zh-CN');
    expect(i.inGuild()).toBe(true);
    expect(i.memberPermissions?.has('Administrator')).toBe(true);
    expect(i.channelId).toBe(NEWS);
    const start = Date.now();
    await i.reply({ embeds: [{ title: '已订阅', description: 'ok' }] });
    const [cb] = fake.interactionResponses(token);
    expect(cb).toMatchObject({ kind: 'callback', type: 4, data: { embeds: [{ title: '已订阅' }] } });
    expect(cb!.at - start).toBeLessThan(3000);
    // a second callback is refused
    const again = client.rest.post(`/interactions/${i.id}/${i.token}/callback`, {
      body: { type: 4, data: { content: 'x' } },
      auth: false,
    });
    await expect(again).rejects.toMatchObject({ code: 40060 });
  });

  it('deferReply() + editReply() and followUp(); late callbacks are 10062', async () => {
    const got = nextInteraction((i): i is ChatInputCommandInteraction => i.isChatInputCommand());
    const { token } = fake.interact({ type: 2, name: 'subscribe', channelId: '900000000000000999' }); // DM
    const i = await got;
    expect(i.inGuild()).toBe(false);
    expect(i.user.id).toBe('100000000000000001');
    await i.deferReply();
    const edited = await i.editReply({ content: '完成' });
    expect(edited.content).toBe('完成');
    await i.followUp({ content: 'more' });
    const kinds = fake.interactionResponses(token).map((r) => `${r.kind}:${r.type ?? ''}`);
    expect(kinds).toEqual(['callback:5', 'edit:', 'followup:']);

    const late = nextInteraction((x): x is ChatInputCommandInteraction => x.isChatInputCommand());
    fake.interact({ type: 2, name: 'subscribe', guildId: GUILD, channelId: NEWS });
    const j = await late;
    await new Promise((r) => setTimeout(r, 3100));
    await expect(j.reply('too late')).rejects.toMatchObject({ code: 10062 });
  });

  it('button → update(); autocomplete → respond()', async () => {
    const msg = await (client.channels.cache.get(NEWS) as TextChannel).send({
      content: 'page 1',
      components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'page:2', label: 'Next' }] }],
    });
    const gotButton = nextInteraction((i): i is ButtonInteraction => i.isButton());
    const b = fake.interact({ type: 3, customId: 'page:2', guildId: GUILD, channelId: NEWS });
    const button = await gotButton;
    expect(button).toBeInstanceOf(ButtonInteraction);
    expect(button.customId).toBe('page:2');
    expect(button.message.id).toBe(msg.id);
    await button.update({ content: 'page 2', components: [] });
    expect(fake.interactionResponses(b.token)[0]).toMatchObject({ type: 7, data: { content: 'page 2' } });
    expect(fake.channelMessages(NEWS).find((m) => m.id === msg.id)?.content).toBe('page 2');

    const gotAuto = nextInteraction((i): i is AutocompleteInteraction => i.isAutocomplete());
    const a = fake.interact({
      type: 4,
      name: 'subscribe',
      guildId: GUILD,
      channelId: NEWS,
      options: [{ name: 'url', type: 3, value: 'exa', focused: true }],
    });
    const auto = await gotAuto;
    expect(auto.options.getFocused()).toBe('exa');
    await auto.respond([{ name: 'example.com', value: 'https://example.com/rss' }]);
    expect(fake.interactionResponses(a.token)[0]).toMatchObject({
      type: 8,
      data: { choices: [{ name: 'example.com' }] },
    });

    const gotAuto2 = nextInteraction((i): i is AutocompleteInteraction => i.isAutocomplete());
    fake.interact({
      type: 4,
      name: 'subscribe',
      guildId: GUILD,
      channelId: NEWS,
      options: [{ name: 'url', type: 3, value: '', focused: true }],
    });
    const auto2 = await gotAuto2;
    const many = Array.from({ length: 26 }, (_, n) => ({ name: `c${n}`, value: `${n}` }));
    await expect(auto2.respond(many)).rejects.toMatchObject({ code: 50035 });
  });

  it('rejects an oversized embed with 50035 and keeps the interaction answerable', async () => {
    const got = nextInteraction((i): i is ChatInputCommandInteraction => i.isChatInputCommand());
    const { token } = fake.interact({ type: 2, name: 'subscribe', guildId: GUILD, channelId: NEWS });
    const i = await got;
    const err = await i.reply({ embeds: [{ description: 'x'.repeat(4097) }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect((err as DiscordAPIError).code).toBe(50035);
    expect((err as DiscordAPIError).rawError).toMatchObject({
      errors: { data: { embeds: { 0: { description: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } },
    });
    const res = await i.reply({ content: 'ok', withResponse: true });
    expect(res.resource?.message?.content).toBe('ok');
    expect(res.interaction.id).toBe(i.id);
    expect(fake.interactionResponses(token)).toHaveLength(1);

    const channel = client.channels.cache.get(NEWS) as TextChannel;
    const total = Array.from({ length: 4 }, () => ({ description: 'y'.repeat(1600) }));
    await expect(channel.send({ embeds: total })).rejects.toMatchObject({ code: 50035 });
    await expect(channel.send({ content: 'z'.repeat(2001) })).rejects.toMatchObject({ code: 50035 });
  });

  it('an injected 429 makes discord.js wait and retry; the message arrives once', async () => {
    const channel = client.channels.cache.get(ANNOUNCE) as TextChannel;
    const limited: number[] = [];
    client.rest.on('rateLimited', (info) => limited.push(info.retryAfter));
    fake.failNext('POST', new RegExp(`^/channels/${ANNOUNCE}/messages$`), { status: 429, retryAfter: 0.6 });
    const start = Date.now();
    const sent = await channel.send('headline');
    const took = Date.now() - start;
    expect(sent.content).toBe('headline');
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(3000);
    expect(fake.channelMessages(ANNOUNCE).filter((m) => m.content === 'headline')).toHaveLength(1);
    expect(fake.restTo('POST', new RegExp(`^/channels/${ANNOUNCE}/messages$`)).map((r) => r.status)).toEqual([
      429, 200,
    ]);
    expect(limited.length).toBeGreaterThanOrEqual(1);
  });

  it('enforces a per-channel bucket; discord.js respects the headers', async () => {
    fake.setRateLimits({ channelMessagesPer5s: 2 });
    const channel = client.channels.cache.get(THREAD) as TextChannel;
    const start = Date.now();
    await Promise.all([channel.send('a'), channel.send('b'), channel.send('c')]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(4000); // third waits for the 5 s window
    expect(fake.channelMessages(THREAD).map((m) => m.content)).toEqual(['a', 'b', 'c']);
    const posts = fake.restTo('POST', new RegExp(`^/channels/${THREAD}/messages$`));
    expect(posts.every((p) => p.status === 200)).toBe(true);
    fake.setRateLimits(null);
  }, 15_000);

  it('retries injected 5xx and global 429s; answers 429s itself when a bucket is exceeded', async () => {
    const channel = client.channels.cache.get(NEWS) as TextChannel;
    const re = new RegExp(`^/channels/${NEWS}/messages$`);
    const before = fake.restTo('POST', re).length;
    fake.failNext('POST', re, { status: 502 });
    fake.failNext('POST', re, { status: 429, retryAfter: 0.3, global: true });
    await channel.send('after errors');
    expect(
      fake
        .restTo('POST', re)
        .slice(before)
        .map((r) => r.status),
    ).toEqual([502, 429, 200]);

    fake.setRateLimits({ channelMessagesPer5s: 1, globalPerSecond: 100 });
    const post = () =>
      fetch(`${fake.url}/api/v10/channels/${NEWS}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'raw' }),
      });
    const ok = await post();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(ok.headers.get('x-ratelimit-bucket')).toBeTruthy();
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(4);
    expect(await limited.json()).toMatchObject({ retry_after: expect.any(Number), global: false });
    fake.setRateLimits({ globalPerSecond: 1 });
    await fetch(`${fake.url}/api/v10/users/@me`, { headers: { authorization: `Bot ${fake.token}` } });
    const g = await fetch(`${fake.url}/api/v10/users/@me`, {
      headers: { authorization: `Bot ${fake.token}` },
    });
    expect(g.status).toBe(429);
    expect(g.headers.get('x-ratelimit-global')).toBe('true');
    fake.setRateLimits(null);
  });

  it('records file uploads (multipart) and guilds added while connected', async () => {
    const channel = client.channels.cache.get(NEWS) as TextChannel;
    const sent = await channel.send({
      content: 'digest',
      files: [{ attachment: Buffer.from('你好'), name: 'digest.txt' }],
    });
    expect(sent.attachments.first()?.name).toBe('digest.txt');
    const rec = fake.restTo('POST', new RegExp(`^/channels/${NEWS}/messages$`)).at(-1);
    expect(rec?.body).toMatchObject({ content: 'digest' });
    expect(rec?.files?.[0]?.data.toString()).toBe('你好');

    const joined = new Promise<string>((resolve) => client.once(Events.GuildCreate, (g) => resolve(g.id)));
    fake.addGuild({
      id: '900000000000000002',
      name: 'second',
      channels: [{ id: '900000000000000020', name: 'n', type: 0 }],
    });
    expect(await joined).toBe('900000000000000002');
    expect(client.channels.cache.has('900000000000000020')).toBe(true);
  });

  it('deleted channel → 10003, denied channel → 50013, forum → 50008', async () => {
    const channel = client.channels.cache.get(GONE) as TextChannel;
    fake.deleteChannel(GONE);
    const err = await channel.send('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect((err as DiscordAPIError).code).toBe(10003);
    expect((err as DiscordAPIError).status).toBe(404);
    fake.denyChannel(ANNOUNCE);
    await expect((client.channels.cache.get(ANNOUNCE) as TextChannel).send('x')).rejects.toMatchObject({
      code: 50013,
    });
    await expect(
      client.rest.post(`/channels/${FORUM}/messages`, { body: { content: 'x' } }),
    ).rejects.toMatchObject({
      code: 50008,
    });
  });

  it('answers 401 without the bot token and 404 on unknown routes', async () => {
    const r1 = await fetch(`${fake.url}/api/v10/users/@me`);
    expect(r1.status).toBe(401);
    const r2 = await fetch(`${fake.url}/api/v10/nope`, { headers: { authorization: `Bot ${fake.token}` } });
    expect(r2.status).toBe(404);
    expect(await r2.json()).toMatchObject({ code: 0 });
    expect(fake.restTo('GET', /^\/nope$/)).toHaveLength(1);
  });

  it('resumes after an op 7 reconnect', async () => {
    fake.gateway.requestReconnect();
    await waitFor(() => fake.gateway.resumes === 1, 5000);
    const got = nextInteraction((i): i is ChatInputCommandInteraction => i.isChatInputCommand());
    fake.interact({ type: 2, name: 'subscribe', guildId: GUILD, channelId: NEWS });
    await got;
    expect(fake.gateway.identifies).toBe(1);
  });

  it('speaks zlib-stream transport compression to a raw client', async () => {
    const ws = new WebSocket(`${fake.gateway.url}?v=10&encoding=json&compress=zlib-stream`);
    const hello = await new Promise<Buffer>((resolve) => ws.once('message', (d) => resolve(d as Buffer)));
    const text = inflateSync(hello, { finishFlush: 2 }).toString();
    expect(JSON.parse(text)).toMatchObject({ op: 10 });
    ws.close();
  });
});
