/**
 * `/filter <subscription>`, `/rename`, `/mute` and `/unmute` end to end: the real telegraf client
 * against the fake Bot API, the service on real FerretDB and Redis. Answers in zh-Hans, zh-Hant
 * and English; digests and instant items reflect what was set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/i18n.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { ask, rss, type Stack, startStack } from './telegram-harness.ts';

const hans = { id: 3101, first_name: 'Lin', language_code: 'zh-hans' };
const hant = { id: 3102, first_name: 'Chan', language_code: 'zh-hk' };
const en = { id: 3103, first_name: 'Ann', language_code: 'en' };
const dmOf = (u: { id: number; first_name: string }) => ({
  id: u.id,
  type: 'private' as const,
  first_name: u.first_name,
});
const group = { id: -3200, type: 'supergroup' as const, title: 'Group' };

let s: Stack;
let hkUrl = '';
let shUrl = '';

/** The bot's answer to `text`, as lines. */
async function answer(user: typeof hans, text: string): Promise<string[]> {
  const [reply] = await ask(s.fake, dmOf(user), user, text);
  return (reply?.text ?? '').split('\n');
}

const chatOf = async (user: { id: number }) => (await s.core.chats.get(`telegram:${user.id}`))!;

beforeAll(async () => {
  s = await startStack();
  s.site.route('/hk.xml', {
    contentType: 'application/rss+xml',
    body: rss(
      '港聞台',
      [
        { title: '天星小輪加班', path: '/h1' },
        { title: '香港體育盛事：馬拉松', path: '/h2' },
        { title: '臺\u200B灣\u202E選舉結果公布', path: '/h3' },
      ],
      s.site.url,
    ),
  });
  s.site.route('/sh.xml', {
    contentType: 'application/rss+xml',
    body: rss('上海日报', [{ title: '地铁新线开通', path: '/s1' }], s.site.url),
  });
  hkUrl = `${s.site.url}/hk.xml`;
  shUrl = `${s.site.url}/sh.xml`;
  for (const u of [hans, hant, en]) {
    await answer(u, `/subscribe ${hkUrl}`);
    await answer(u, `/subscribe ${shUrl}`);
  }
});

afterAll(async () => {
  await s?.close();
});

describe('a subscription’s filters, name and mute on Telegram', () => {
  it('/filter <subscription> sets, shows and clears its own words; /filter +word stays chat-wide', async () => {
    // The name is found in either script; invisible characters in the words are dropped.
    expect(await answer(hans, '/filter 港闻台 -體\u200B育 +\u2066香港\u2069')).toEqual([
      t('zh-Hans', 'subfilter.set', { name: '港聞台', filters: '+香港 -体育' }),
    ]);
    const [shown, usage] = await answer(hans, '/filter 港聞台');
    expect(shown).toBe(t('zh-Hans', 'subfilter.set', { name: '港聞台', filters: '+香港 -体育' }));
    expect(usage).toContain('/filter');
    expect(await answer(hans, '/filter -台\u200B湾')).toEqual([
      t('zh-Hans', 'filter.set', { filters: '-台湾' }),
    ]);
    const chat = await chatOf(hans);
    expect(chat.exclude).toEqual(['台湾']);
    expect(chat.subscriptions.find((x) => x.kind === 'source' && x.include.length > 0)).toMatchObject({
      include: ['香港'],
      exclude: ['体育'],
    });
    expect(await answer(hans, '/filter 港聞台 +天星')).toEqual([
      t('zh-Hans', 'subfilter.set', { name: '港聞台', filters: '+香港 +天星 -体育' }),
    ]);
  });

  it('/rename gives a subscription its own name, used by /list, /unsubscribe buttons and later commands', async () => {
    expect(await answer(hans, '/rename 港聞台 香港 新聞')).toEqual([
      t('zh-Hans', 'rename.done', { old: '港聞台', name: '香港 新聞' }),
    ]);
    const list = (await answer(hans, '/list')).join('\n');
    expect(list).toContain(`• 香港 新聞${t('zh-Hans', 'list.subFilters', { filters: '+香港 +天星 -体育' })}`);
    expect(list).toContain(`• 上海日报 · ${t('zh-Hans', 'sourceHealth.ok')}\n`);
    const [pick] = await ask(s.fake, dmOf(hans), hans, '/unsubscribe');
    const labels = (pick!.reply_markup as { inline_keyboard: Array<Array<{ text: string }>> }).inline_keyboard
      .flat()
      .map((b) => b.text);
    expect(labels).toContain('✕ 香港 新聞');
    // The new name (two words) names it in other commands; the source's name still does too.
    expect(await answer(hans, '/filter 香港 新聞 clear')).toEqual([
      t('zh-Hans', 'subfilter.cleared', { name: '香港 新聞' }),
    ]);
    expect(await answer(hans, '/filter 港聞台 -體育')).toEqual([
      t('zh-Hans', 'subfilter.set', { name: '香港 新聞', filters: '-体育' }),
    ]);
  });

  it('/mute keeps a subscription listed, marked, and out of the digest; /unmute brings it back', async () => {
    expect(await answer(hans, '/mute 上海日報')).toEqual([t('zh-Hans', 'mute.done', { name: '上海日报' })]);
    expect((await answer(hans, '/list')).join('\n')).toContain(`• 上海日报${t('zh-Hans', 'list.muted')}`);
    await ask(s.fake, dmOf(hans), hans, '/digest', 2);
    const digest = await waitFor(() => s.fake.sentMessages(hans.id).find((m) => m.text?.includes('摘要 ·')));
    const text = digest.text ?? '';
    // Renamed heading; its own exclude word and the chat's (through a zero-width space and a
    // bidi override in the title) hold; the muted source adds nothing.
    expect(text).toContain('\n香港 新聞\n• 天星小輪加班');
    expect(text).toContain('天星小輪加班');
    expect(text).not.toContain('馬拉松');
    expect(text).not.toContain('選舉');
    expect(text).not.toContain('上海日报');
    expect(text).not.toContain('地铁');
    expect(await answer(hans, '/unmute 上海日报')).toEqual([
      t('zh-Hans', 'mute.undone', { name: '上海日报' }),
    ]);
    expect((await chatOf(hans)).subscriptions.every((x) => !x.muted)).toBe(true);
  });

  it('a muted instant subscription sends nothing while an unmuted one does', async () => {
    await answer(hant, '/instant 上海日报 on');
    await answer(en, '/instant 上海日报 on');
    expect(await answer(hant, '/mute 上海日報')).toEqual([t('zh-Hant', 'mute.done', { name: '上海日报' })]);
    s.site.route('/sh.xml', {
      contentType: 'application/rss+xml',
      body: rss('上海日报', [{ title: '外滩灯光秀延长', path: '/s2' }], s.site.url),
    });
    const source = await s.core.sources.find(shUrl);
    const before = s.fake.sentMessages(hant.id).length;
    await s.core.ingest.fetchById(source!.id);
    await waitFor(() => s.fake.sentMessages(en.id).find((m) => m.text?.includes('外滩灯光秀延长')), 10_000);
    // Both items were recorded (or not) in the same pass; give the other chat's a moment anyway.
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      s.fake
        .sentMessages(hant.id)
        .slice(before)
        .map((m) => m.text),
    ).toEqual([]);
  });

  it('answers bad input with one clear line in zh-Hans, zh-Hant and English, changing nothing', async () => {
    const before = await chatOf(en);
    const cases: Array<[typeof hans, 'zh-Hans' | 'zh-Hant' | 'en']> = [
      [hans, 'zh-Hans'],
      [hant, 'zh-Hant'],
      [en, 'en'],
    ];
    for (const [user, locale] of cases) {
      /** One line, or one line and the command's usage line. */
      const expectAnswer = async (
        command: string,
        first: string,
        usage?: 'rename.usage' | 'mute.usage' | 'filter.usage',
      ) => {
        const lines = await answer(user, command);
        expect(lines).toEqual(usage ? [first, t(locale, usage)] : [first]);
      };
      await expectAnswer('/rename', t(locale, 'rename.usage'));
      await expectAnswer('/rename 上海日报', t(locale, 'rename.usage'));
      await expectAnswer(
        '/rename 不存在的源 新名',
        t(locale, 'unsubscribe.notFound', { name: '不存在的源 新名' }),
        'rename.usage',
      );
      const invalidName = t(locale, 'rename.invalid', { max: 40 });
      await expectAnswer('/rename 上海日报 +申城', invalidName, 'rename.usage');
      await expectAnswer(`/rename 上海日报 ${'名'.repeat(41)}`, invalidName, 'rename.usage');
      // Invisible characters are no name: as if none was given.
      await expectAnswer('/rename 上海日报 \u200B\u202E', t(locale, 'rename.usage'));
      await expectAnswer('/rename 上海日报 港聞台', t(locale, 'rename.taken', { name: '港聞台' }));
      await expectAnswer('/mute', t(locale, 'mute.usage'));
      await expectAnswer(
        '/unmute 不存在的源',
        t(locale, 'unsubscribe.notFound', { name: '不存在的源' }),
        'mute.usage',
      );
      const invalidWord = t(locale, 'filter.invalid', { max: 50 });
      await expectAnswer(`/filter 港聞台 -${'长'.repeat(51)}`, invalidWord, 'filter.usage');
      await expectAnswer('/filter 港聞台 +\u200B', invalidWord, 'filter.usage');
    }
    const twenty = Array.from({ length: 20 }, (_, n) => `-词${n}`).join(' ');
    await answer(en, `/filter 港聞台 ${twenty}`);
    expect(await answer(en, '/filter 港聞台 -one-more')).toEqual([t('en', 'filter.tooMany', { max: 20 })]);
    const after = await chatOf(en);
    expect(after.subscriptions.map((x) => [x.name, x.muted, x.include])).toEqual(
      before.subscriptions.map((x) => [x.name, x.muted, x.include]),
    );
    expect(after.subscriptions.find((x) => x.exclude.length > 0)?.exclude).toHaveLength(20);
  });

  it('in groups only administrators rename, mute or filter a subscription; members may look', async () => {
    const admin = { id: 3301, first_name: 'Admin', language_code: 'en' };
    const member = { id: 3302, first_name: 'Member', language_code: 'en' };
    s.fake.setChatMember(group.id, admin.id, 'administrator');
    s.fake.setChatMember(group.id, member.id, 'member');
    await ask(s.fake, group, admin, `/subscribe ${hkUrl}`);
    for (const cmd of ['/rename 港聞台 HK', '/mute 港聞台', '/filter 港聞台 -体育']) {
      const [reply] = await ask(s.fake, group, member, cmd);
      expect(reply?.text).toBe(t('en', 'admin.only'));
    }
    const [shown] = await ask(s.fake, group, member, '/filter 港聞台');
    expect(shown?.text?.split('\n')[0]).toBe(t('en', 'subfilter.none', { name: '港聞台' }));
    const [renamed] = await ask(s.fake, group, admin, '/rename 港聞台 HK');
    expect(renamed?.text).toBe(t('en', 'rename.done', { old: '港聞台', name: 'HK' }));
  });
});
