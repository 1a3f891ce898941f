/**
 * A source's health and privacy on Discord, end to end: the real discord.js client against the
 * fake Discord, the service on real FerretDB and Redis. A channel following a disabled source gets
 * one notice (through the deliver queue), `/feed list` shows each feed's health, and it is told once
 * when the source is back. `/sources` lists only the guild's own sources and public ones, a URL's
 * token shown as `…`; ALLOWED_USERS refuses others in one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/i18n.ts';
import type { InteractInput, InteractionResponse } from '../fakes/discord-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { type DiscordStack, startDiscordStack } from './discord-harness.ts';

const GUILD = '950000000000000001';
const NEWS = '950000000000000010';
const ADMIN = { id: '150000000000000001', username: 'admin' };
const STRANGER = { id: '150000000000000002', username: 'stranger' };
const MANAGE_CHANNELS = String(1n << 4n);
const SECRET = 'a8f3c0e1b77b24c1d9e0f1b2';

type Option = NonNullable<InteractInput['options']>[number];
const str = (name: string, value: string): Option => ({ name, type: 3, value });
const channel = (id: string): Option => ({ name: 'channel', type: 7, value: id });

let d: DiscordStack;
let url = '';

async function feed(
  sub: string,
  options: Option[],
  user = ADMIN,
  locale = 'en-US',
): Promise<InteractionResponse> {
  const channels = Object.fromEntries(
    options
      .filter((o) => o.type === 7)
      .map((o) => [
        String(o.value),
        { id: String(o.value), type: 0, name: 'news', permissions: MANAGE_CHANNELS },
      ]),
  );
  const { last } = await d.interact({
    name: 'feed',
    options: [{ name: sub, type: 1, options }],
    permissions: MANAGE_CHANNELS,
    user,
    locale,
    ...(Object.keys(channels).length ? { resolved: { channels } } : {}),
  });
  return last;
}

const text = (r: InteractionResponse) =>
  String(r.data.content ?? '') +
  String((r.data.embeds as Array<{ description?: string }> | undefined)?.[0]?.description ?? '');

const posted = () => d.fake.channelMessages(NEWS).map((m) => String(m.content ?? ''));

const serveOk = () =>
  d.site.route('/members.xml', {
    body: rss('会员快讯', [
      { title: '会员快讯：今日要闻', link: 'https://m.example.cn/1.htm', pubDate: hoursAgo(1) },
    ]),
    contentType: 'application/rss+xml',
  });

beforeAll(async () => {
  d = await startDiscordStack({
    guild: (fake) => ({
      id: GUILD,
      name: 'health',
      preferredLocale: 'en-US',
      channels: [{ id: NEWS, name: 'news', type: 0 }],
      roles: [{ id: '950000000000000100', name: 'bots', permissions: '8' }],
      members: [
        { user: ADMIN },
        { user: { id: fake.applicationId, username: 'newsrelay', bot: true }, roles: ['950000000000000100'] },
      ],
    }),
    channelId: NEWS,
    locale: 'en-US',
    feeds: [],
    env: { ALLOWED_USERS: `discord:${ADMIN.id}`, SOURCE_MAX_FAILURES: '2' },
  });
  serveOk();
  url = `${d.site.url}/members.xml?apikey=${SECRET}`;
});

afterAll(async () => {
  await d?.close();
});

describe('sources stay private on Discord', () => {
  it('refuses a member not on ALLOWED_USERS in one line, then lets an allowed one add', async () => {
    const refused = await feed('add', [channel(NEWS), str('source', url)], STRANGER, 'zh-TW');
    expect(refused.data.content).toBe(t('zh-Hant', 'sourceAccess.notAllowed'));
    expect(await d.core.sources.find(url)).toBeNull();
    const added = await feed('add', [channel(NEWS), str('source', url), str('mode', 'digest')]);
    expect(added.data.content).toContain('会员快讯');
  });

  it('/sources lists the guild’s own source with its token hidden, and nobody else’s', async () => {
    const other = await d.core.sources.add(`${d.site.url}/members.xml?apikey=other-guilds-key-123456789`, {
      owner: 'discord:959999999999999999',
    });
    const { last } = await d.interact({ name: 'sources', locale: 'en-US' });
    const shown = text(last);
    expect(shown).toContain('会员快讯');
    expect(shown).toContain(`/members.xml?apikey=…`);
    expect(shown).toContain(t('en', 'sourceHealth.ok'));
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(other.source.id);
    expect(JSON.stringify(d.fake.rest)).not.toContain(SECRET);
  });
});

describe('a source that dies and comes back, on Discord', () => {
  it('posts one notice to the channel, shows health in /feed list, and posts once that it is back', async () => {
    const source = (await d.core.sources.find(url))!;
    d.site.route('/members.xml', { status: 503, body: 'busy' });
    await d.core.ingest.fetchById(source.id);
    expect(text(await feed('list', []))).toContain(
      t('en', 'sourceHealth.failing', {
        failures: 1,
        reason: t('en', 'sourceHealth.reason.http', { status: 503 }),
      }),
    );
    await d.core.ingest.fetchById(source.id);
    const down = t('en', 'sourceNotice.downHeading', { name: '会员快讯' });
    const notice = await waitFor(() => posted().find((c) => c.startsWith(down)));
    expect(notice).toContain('HTTP 503');
    expect(notice).toContain('I check it every few hours');
    // Adding it again retries it at once; it still fails.
    const again = text(await feed('add', [channel(NEWS), str('source', source.id), str('mode', 'digest')]));
    expect(again).toContain('I tried it again just now and it still fails');
    expect(again).toContain('HTTP 503');
    const list = text(await feed('list', []));
    expect(list).toContain('⛔');
    expect(list).toContain(t('en', 'sourceHealth.reason.http', { status: 503 }));

    serveOk();
    // The scheduler's re-probe once the backoff is over.
    const due = (await d.core.sources.get(source.id))!.nextFetchAt;
    expect(await d.core.ingest.fetchById(source.id, due)).toMatchObject({ status: 'ok', recovered: true });
    const up = t('en', 'sourceNotice.upHeading', { name: '会员快讯' });
    await waitFor(() => posted().find((c) => c.startsWith(up)));
    expect(text(await feed('list', []))).toContain(t('en', 'sourceHealth.ok'));
    expect(posted().filter((c) => c.startsWith(down))).toHaveLength(1);
    expect(posted().filter((c) => c.startsWith(up))).toHaveLength(1);
  });
});
