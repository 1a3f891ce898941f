/**
 * Richer items on Discord end to end (docs/decisions/0012-item-formats.md): `/settings format`
 * and `previews`, `/feed format`, through the real discord.js client against the fake Discord
 * (which checks embed limits, image URLs and timestamps as Discord does), the service on real
 * FerretDB and Redis. Instant posts become embeds with the summary, the source as author, the
 * time, and the image as thumbnail (`summary`) or large image (`full`); digests quote summaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/types.ts';
import { t } from '../../src/i18n/i18n.ts';
import type { InteractInput } from '../fakes/discord-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { type RichItem, richFeed } from '../helpers/feeds.ts';
import { type DiscordStack, startDiscordStack } from './discord-harness.ts';

const GUILD = '950000000000000001';
const NEWS = '950000000000000010';
const LATER = '950000000000000011';
const MANAGE_CHANNELS = String(1n << 4n);

let d: DiscordStack;
let sourceId = '';

type Option = NonNullable<InteractInput['options']>[number];
const str = (name: string, value: string): Option => ({ name, type: 3, value });
const bool = (name: string, value: boolean): Option => ({ name, type: 5, value });
const channel = (id: string): Option => ({ name: 'channel', type: 7, value: id });

interface Embed {
  title?: string;
  url?: string;
  description?: string;
  author?: { name: string };
  timestamp?: string;
  thumbnail?: { url: string };
  image?: { url: string };
}

let served: RichItem[] = [
  {
    title: '開幕式',
    path: '/d0',
    description: '<p>盛大的<b>開幕式</b></p>',
    image: 'https://img.example/d0.jpg',
  },
];

/** Where the articles live (never fetched). */
const BASE = 'https://rich.example';

/** Serve `items` on top of the earlier ones, fetch, and wait for the channel's new post showing `title`. */
async function publish(item: RichItem) {
  served = [item, ...served];
  d.site.route('/rich.xml', {
    contentType: 'application/rss+xml',
    body: richFeed('富媒體新聞', BASE, served, 'enclosure'),
  });
  const before = d.fake.channelMessages(NEWS).length;
  await d.core.ingest.fetchById(sourceId);
  return waitFor(
    () =>
      d.fake
        .channelMessages(NEWS)
        .slice(before)
        .find((m) => JSON.stringify(m).includes(item.path)),
    10_000,
  );
}

/** The ephemeral text answer of a command with these options (by a member who may manage channels). */
async function answer(name: string, options: Option[], locale = 'en-US'): Promise<string> {
  const channels = {
    [NEWS]: { id: NEWS, type: 0, name: 'news', permissions: MANAGE_CHANNELS },
    [LATER]: { id: LATER, type: 0, name: 'later', permissions: MANAGE_CHANNELS },
  };
  const { last } = await d.interact({
    name,
    options,
    permissions: MANAGE_CHANNELS,
    locale,
    resolved: { channels },
  });
  return String(last.data.content ?? '');
}

const feedCommand = (sub: string, options: Option[], locale = 'en-US') =>
  answer('feed', [{ name: sub, type: 1, options }], locale);

beforeAll(async () => {
  d = await startDiscordStack({
    guild: (fake) => ({
      id: GUILD,
      name: 'rich',
      preferredLocale: 'zh-CN',
      channels: [
        { id: NEWS, name: 'news', type: 0 },
        { id: LATER, name: 'later', type: 0 },
      ],
      roles: [{ id: '950000000000000100', name: 'bots', permissions: '8' }],
      members: [
        { user: { id: fake.applicationId, username: 'newsrelay', bot: true }, roles: ['950000000000000100'] },
      ],
    }),
    channelId: NEWS,
    locale: 'en-US',
    feeds: [{ path: '/rich.xml', body: richFeed('富媒體新聞', BASE, served, 'enclosure') }],
  });
  sourceId = d.sourceIds.get('/rich.xml')!;
  await feedCommand('add', [channel(NEWS), str('source', sourceId), str('mode', 'instant')]);
}, 60_000);

afterAll(async () => {
  await d?.close();
});

describe('item formats on Discord', () => {
  it('/settings format and previews are saved for the server and its channels, and shown', async () => {
    const saved = await answer('settings', [str('format', 'full'), str('script', 'hans')]);
    expect(saved.split('\n')[1]).toBe(
      t('en', 'settings.items', { format: t('en', 'format.name.full'), previews: t('en', 'previews.off') }),
    );
    expect(await d.core.chats.get(`discord:${NEWS}`)).toMatchObject({ itemFormat: 'full', script: 'hans' });
    // A channel that gets its first feed later starts with the server's settings.
    await feedCommand('add', [channel(LATER), str('source', sourceId), str('mode', 'digest')]);
    expect(await d.core.chats.get(`discord:${LATER}`)).toMatchObject({
      itemFormat: 'full',
      linkPreviews: false,
    });
  });

  it('posts a full item as an embed with summary, author, timestamp and a large image, in the server’s script', async () => {
    const posted = await publish({
      title: '臺灣*新聞* <@&1>',
      path: '/d1',
      description: `<p>臺灣經濟<i>發展</i> **粗** ${'長'.repeat(3000)}</p>`,
      image: 'https://img.example/d1.jpg',
    });
    const [embed] = posted.embeds as Embed[];
    expect(embed?.title).toBe('台湾\\*新闻\\* \\<@&1>');
    expect(embed?.description?.startsWith('台湾经济发展 \\*\\*粗\\*\\* 长长')).toBe(true);
    expect([...(embed?.description ?? '')].length).toBeLessThanOrEqual(210);
    expect(embed?.author?.name).toBe('富媒体新闻');
    expect(Date.parse(embed?.timestamp ?? '')).not.toBeNaN();
    expect(embed?.image?.url).toBe('https://img.example/d1.jpg');
    expect(embed?.thumbnail).toBeUndefined();
  });

  it('/feed format gives one source its own format (a thumbnail for summary) until default', async () => {
    expect(
      await feedCommand(
        'format',
        [channel(NEWS), str('source', sourceId), str('format', 'summary')],
        'zh-TW',
      ),
    ).toBe(
      t('zh-Hant', 'subformat.set', { name: '富媒體新聞', format: t('zh-Hant', 'format.name.summary') }),
    );
    expect(await feedCommand('format', [channel(NEWS), str('source', sourceId)])).toBe(
      t('en', 'subformat.show', { name: '富媒體新聞', format: t('en', 'format.name.summary') }),
    );
    const posted = await publish({
      title: 'Summary item',
      path: '/d2',
      description: 'A line.',
      image: 'https://img.example/d2.png',
    });
    const [embed] = posted.embeds as Embed[];
    expect(embed).toMatchObject({ description: 'A line.', thumbnail: { url: 'https://img.example/d2.png' } });
    expect(embed?.image).toBeUndefined();
    expect(
      await feedCommand('format', [channel(NEWS), str('source', sourceId), str('format', 'default')]),
    ).toBe(t('en', 'subformat.cleared', { name: '富媒體新聞', format: t('en', 'format.name.full') }));
    expect((await d.core.chats.get(`discord:${NEWS}`))?.subscriptions[0]?.format).toBeNull();
  });

  it('keeps a hostile item within the embed limits: no unsafe or over-long image', async () => {
    const posted = await publish({
      title: 'T'.repeat(5000),
      path: '/d3',
      description: `<img src="javascript:alert(1)"><img src="https://img.example/${'x'.repeat(10_000)}.jpg">${'摘'.repeat(50_000)}`,
    });
    const [embed] = posted.embeds as Embed[];
    expect(embed?.image).toBeUndefined();
    expect(embed?.thumbnail).toBeUndefined();
    expect([...(embed?.title ?? '')].length).toBeLessThanOrEqual(256);
  });

  it('with previews on, an instant item shown as a title is a bare link Discord unfurls', async () => {
    await answer('settings', [str('format', 'titles'), bool('previews', true)]);
    const posted = await publish({ title: 'Preview me', path: '/d4', image: 'https://img.example/d4.jpg' });
    expect(posted.embeds ?? []).toEqual([]);
    expect(String(posted.content)).toContain(`${BASE}/d4`);
    await answer('settings', [str('format', 'summary'), bool('previews', false)]);
  });

  it('digests quote the one-line summary under each title', async () => {
    const before = d.fake.channelMessages(NEWS).length;
    expect(await d.core.digests.runNow(`discord:${NEWS}`)).toBe('queued');
    const posted = await waitFor(() =>
      d.fake
        .channelMessages(NEWS)
        .slice(before)
        .find((m) => m.embeds?.length),
    );
    const text = (posted.embeds as Embed[]).map((e) => e.description).join('\n');
    expect(text).toContain('\n> 盛大的开幕式');
    expect(text).toContain('\n> A line.');
  });

  it('answers a bad format with one sentence in the member’s language, changing nothing', async () => {
    const before = await d.core.chats.get(`discord:${NEWS}`);
    const cases: Array<[string, Locale]> = [
      ['zh-CN', 'zh-Hans'],
      ['zh-TW', 'zh-Hant'],
      ['en-US', 'en'],
    ];
    for (const [discordLocale, l] of cases) {
      // Discord offers choices; a forged or outdated client can still send anything.
      expect(await answer('settings', [str('format', 'pictures')], discordLocale)).toBe(
        t(l, 'format.invalid', { value: 'pictures' }),
      );
      expect(
        await feedCommand(
          'format',
          [channel(NEWS), str('source', sourceId), str('format', 'huge')],
          discordLocale,
        ),
      ).toBe(t(l, 'format.invalid', { value: 'huge' }));
      expect(
        await feedCommand(
          'format',
          [channel(NEWS), str('source', '不存在'), str('format', 'full')],
          discordLocale,
        ),
      ).toBe(t(l, 'feed.missing', { source: '不存在', channel: `<#${NEWS}>` }));
    }
    expect(await d.core.chats.get(`discord:${NEWS}`)).toEqual(before);
  });
});
