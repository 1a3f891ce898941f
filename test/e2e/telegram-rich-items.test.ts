/**
 * Richer items on Telegram end to end (docs/decisions/0012-item-formats.md): `/settings format`,
 * `/settings previews` and `/sub <subscription> format` through the real telegraf client against
 * the fake Bot API, the service on real FerretDB and Redis. Instant items in `full` become photos
 * with a bounded, escaped caption, and fall back to one text message when Telegram refuses the
 * photo; summaries follow the chat's script; digests show them under their titles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/types.ts';
import { t } from '../../src/i18n/i18n.ts';
import type { SentMessage } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { type RichItem, richFeed } from '../helpers/feeds.ts';
import { ask, type Stack, startStack } from './telegram-harness.ts';

const en = { id: 5101, first_name: 'Ann', language_code: 'en' };
const hans = { id: 5102, first_name: 'Lin', language_code: 'zh-hans' };
const hant = { id: 5103, first_name: 'Chan', language_code: 'zh-hk' };
const dmOf = (u: { id: number; first_name: string }) => ({
  id: u.id,
  type: 'private' as const,
  first_name: u.first_name,
});
const group = { id: -5200, type: 'supergroup' as const, title: 'Group' };

let s: Stack;
let feedUrl = '';

let served: RichItem[] = [];
/** Serve `items` on top of what the feed served so far, and fetch it now. */
async function publish(...items: RichItem[]): Promise<void> {
  served = [...items, ...served];
  s.site.route('/rich.xml', {
    contentType: 'application/rss+xml',
    body: richFeed('Rich News', s.site.url, served, 'thumbnail'),
  });
  const source = await s.core.sources.find(feedUrl);
  await s.core.ingest.fetchById(source!.id);
}

/** The bot's answer to `text`, as lines. */
async function answer(user: typeof en, text: string): Promise<string[]> {
  const [reply] = await ask(s.fake, dmOf(user), user, text);
  return (reply?.text ?? '').split('\n');
}

/** Messages sent to `user` after `from` that show `needle` (as text or caption). */
const showing = (user: { id: number }, from: number, needle: string): SentMessage[] =>
  s.fake
    .sentMessages(user.id)
    .slice(from)
    .filter((m) => (m.text ?? m.caption ?? '').includes(needle));

beforeAll(async () => {
  s = await startStack();
  feedUrl = `${s.site.url}/rich.xml`;
  served = [
    {
      title: '臺灣經濟 & <增長>',
      path: '/r0',
      description: '<p>臺灣經濟<b>穩定</b>發展，\n\n出口創新高。</p>',
      image: 'https://img.example/r0.jpg',
    },
  ];
  s.site.route('/rich.xml', {
    contentType: 'application/rss+xml',
    body: richFeed('Rich News', s.site.url, served, 'thumbnail'),
  });
  for (const u of [en, hans, hant]) {
    await answer(u, `/subscribe ${feedUrl}`);
    await answer(u, '/instant Rich News on');
  }
  await answer(hans, '/script hans');
});

afterAll(async () => {
  await s?.close();
});

describe('item formats and link previews on Telegram', () => {
  it('/settings format and /settings previews set the chat’s format; /settings shows them', async () => {
    expect(await answer(en, '/settings format full')).toEqual([
      t('en', 'format.set', { format: t('en', 'format.name.full') }),
    ]);
    expect(await answer(en, '/settings previews on')).toEqual([t('en', 'previews.set.on')]);
    expect(await answer(hans, '/settings format 摘要')).toEqual([
      t('zh-Hans', 'format.set', { format: t('zh-Hans', 'format.name.summary') }),
    ]);
    const shown = await answer(en, '/settings');
    expect(shown[1]).toBe(
      t('en', 'settings.items', { format: t('en', 'format.name.full'), previews: t('en', 'previews.on') }),
    );
    const chat = await s.core.chats.get(`telegram:${en.id}`);
    expect(chat).toMatchObject({ itemFormat: 'full', linkPreviews: true });
    expect((await answer(en, '/list')).at(-1)).toBe(shown[1]);
  });

  it('sends a full item as one photo with an escaped caption within 1,024 characters', async () => {
    const before = s.fake.sentMessages(en.id).length;
    const huge = `<p>${'長'.repeat(3000)}</p>`;
    await publish({
      title: `標題 & <粗> ${'字'.repeat(400)}`,
      path: '/r1',
      description: huge,
      image: 'https://img.example/r1.jpg',
    });
    const [photo] = await waitFor(() => {
      const found = showing(en, before, '標題 & <粗>');
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(photo?.photo?.url).toBe('https://img.example/r1.jpg');
    // The fake parses the caption as Telegram does: markup from the feed is text, not tags.
    expect(photo?.caption?.length).toBeLessThanOrEqual(1024);
    expect(photo?.caption).toContain('長長長');
    await new Promise((r) => setTimeout(r, 500));
    expect(showing(en, before, '標題 & <粗>')).toHaveLength(1);
  });

  it('falls back to one text message when Telegram cannot fetch the photo, previews as the chat chose', async () => {
    s.fake.refusePhotoUrl('https://img.example/gone.jpg');
    const before = s.fake.sentMessages(en.id).length;
    const photosBefore = s.fake.callsTo('sendPhoto').length;
    await publish({
      title: 'Photo refused',
      path: '/r2',
      description: 'Still told in words.',
      image: 'https://img.example/gone.jpg',
    });
    const [text] = await waitFor(() => {
      const found = showing(en, before, 'Photo refused');
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(text?.photo).toBeUndefined();
    expect(text?.text).toContain('Still told in words.');
    expect(text?.link_preview_options).toEqual({ is_disabled: false });
    const tried = s.fake.callsTo('sendPhoto').slice(photosBefore);
    expect(
      tried.some(
        (c) =>
          c.params.photo === 'https://img.example/gone.jpg' && String(c.params.chat_id) === String(en.id),
      ),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(showing(en, before, 'Photo refused')).toHaveLength(1);
  });

  it('shows a summary in the chat’s script, with link previews off by default', async () => {
    const before = s.fake.sentMessages(hans.id).length;
    await publish({
      title: '港島新聞',
      path: '/r3',
      description: '<div>臺灣與香港\t\t的<i>經濟</i>合作</div>',
      image: 'https://img.example/r3.jpg',
    });
    const [item] = await waitFor(() => {
      const found = showing(hans, before, '港岛新闻');
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(item?.photo).toBeUndefined();
    expect(item?.text).toContain('台湾与香港 的经济合作');
    expect(item?.link_preview_options).toEqual({ is_disabled: true });
  });

  it('/sub <subscription> format overrides the chat’s format and default gives it back', async () => {
    // The earlier items reach this chat first, so they are not taken for answers.
    await waitFor(() => showing(hant, 0, '港島新聞').length === 1, 10_000);
    expect(await answer(hant, '/sub Rich News format full')).toEqual([
      t('zh-Hant', 'subformat.set', { name: 'Rich News', format: t('zh-Hant', 'format.name.full') }),
    ]);
    expect(await answer(hant, '/sub Rich News')).toEqual([
      t('zh-Hant', 'subformat.show', { name: 'Rich News', format: t('zh-Hant', 'format.name.full') }),
    ]);
    expect((await answer(hant, '/list')).join('\n')).toContain(
      `• Rich News${t('zh-Hant', 'list.instant')}${t('zh-Hant', 'list.subFormat', { format: t('zh-Hant', 'format.name.full') })}`,
    );
    const before = s.fake.sentMessages(hant.id).length;
    await publish({
      title: 'Own format',
      path: '/r4',
      description: 'x y',
      image: 'https://img.example/r4.jpg',
    });
    const [photo] = await waitFor(() => {
      const found = showing(hant, before, 'Own format');
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(photo?.photo?.url).toBe('https://img.example/r4.jpg');
    expect(await answer(hant, '/sub Rich News format default')).toEqual([
      t('zh-Hant', 'subformat.cleared', { name: 'Rich News', format: t('zh-Hant', 'format.name.titles') }),
    ]);
    const after = s.fake.sentMessages(hant.id).length;
    await publish({
      title: 'Titles again',
      path: '/r5',
      description: 'hidden words',
      image: 'https://img.example/r5.jpg',
    });
    const [plain] = await waitFor(() => {
      const found = showing(hant, after, 'Titles again');
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(plain?.photo).toBeUndefined();
    expect(plain?.text).not.toContain('hidden words');
  });

  it('digests show the one-line summary under each title when the format asks for it', async () => {
    await ask(s.fake, dmOf(hans), hans, '/digest', 2);
    const digest = await waitFor(() => s.fake.sentMessages(hans.id).find((m) => m.text?.includes('摘要 ·')));
    const text = digest.text ?? '';
    expect(text).toContain('• 港岛新闻\n台湾与香港 的经济合作');
    expect(text).toContain('• 台湾经济 & <增长>\n台湾经济稳定发展， 出口创新高。');
    // Three thousand characters of lead became one line of at most 200.
    const long = text.split('\n').find((l) => l.startsWith('长长'));
    expect([...(long ?? '')].length).toBeLessThanOrEqual(200);
  });

  it('answers bad values with one clear line and the usage, in each language, changing nothing', async () => {
    const cases: Array<[typeof en, Locale]> = [
      [en, 'en'],
      [hans, 'zh-Hans'],
      [hant, 'zh-Hant'],
    ];
    for (const [user, locale] of cases) {
      const before = await s.core.chats.get(`telegram:${user.id}`);
      expect(await answer(user, '/settings format pictures')).toEqual([
        t(locale, 'format.invalid', { value: 'pictures' }),
        t(locale, 'format.usage'),
      ]);
      expect(await answer(user, '/settings previews maybe')).toEqual([
        t(locale, 'previews.invalid', { value: 'maybe' }),
        t(locale, 'previews.usage'),
      ]);
      expect(await answer(user, '/settings format')).toEqual([t(locale, 'format.usage')]);
      expect(await answer(user, '/settings colour red')).toEqual([t(locale, 'settings.textUsage')]);
      expect(await answer(user, `/sub Rich News format ${'x'.repeat(500)}`)).toEqual([
        t(locale, 'format.invalid', { value: 'x'.repeat(20) }),
        t(locale, 'subformat.usage'),
      ]);
      expect(await answer(user, '/sub 不存在的源 format full')).toEqual([
        t(locale, 'unsubscribe.notFound', { name: '不存在的源 format full' }),
        t(locale, 'subformat.usage'),
      ]);
      const after = await s.core.chats.get(`telegram:${user.id}`);
      expect([after?.itemFormat, after?.linkPreviews, after?.subscriptions.map((x) => x.format)]).toEqual([
        before?.itemFormat,
        before?.linkPreviews,
        before?.subscriptions.map((x) => x.format),
      ]);
    }
  });

  it('in groups only administrators change the format; members may look', async () => {
    const admin = { id: 5301, first_name: 'Admin', language_code: 'en' };
    const member = { id: 5302, first_name: 'Member', language_code: 'en' };
    s.fake.setChatMember(group.id, admin.id, 'administrator');
    s.fake.setChatMember(group.id, member.id, 'member');
    await ask(s.fake, group, admin, `/subscribe ${feedUrl}`);
    for (const cmd of ['/settings format full', '/settings previews on', '/sub Rich News format full']) {
      const [reply] = await ask(s.fake, group, member, cmd);
      expect(reply?.text).toBe(t('en', 'admin.only'));
    }
    const [shown] = await ask(s.fake, group, member, '/settings');
    expect(shown?.text?.split('\n')[1]).toBe(
      t('en', 'settings.items', { format: t('en', 'format.name.titles'), previews: t('en', 'previews.off') }),
    );
    const [set] = await ask(s.fake, group, admin, '/settings format summary');
    expect(set?.text).toBe(t('en', 'format.set', { format: t('en', 'format.name.summary') }));
  });
});
