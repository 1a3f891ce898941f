import { describe, expect, it } from 'vitest';
import { SelectionLookups, selectDigest } from '../../src/digest/digest-selector.ts';
import type { Article, Chat, Subscription } from '../../src/domain/types.ts';
import { SearchIndex } from '../../src/store/search-index.ts';
import { fingerprint } from '../../src/text/fingerprint.ts';
import { indexTerms } from '../../src/text/index-terms.ts';

const articles = new Map<string, Article>();
const index = new SearchIndex();

function store(id: string, sourceId: string, title: string, fetchedAt: number, clusterId = id): void {
  const a: Article = {
    id,
    sourceId,
    url: `https://news.example/${id}`,
    guid: null,
    title,
    summary: '',
    author: null,
    publishedAt: new Date(fetchedAt),
    fetchedAt: new Date(fetchedAt),
    fingerprint: fingerprint(title),
    clusterId,
    terms: indexTerms(title),
  };
  articles.set(id, a);
  index.add([
    { i: id, s: sourceId, p: fetchedAt, f: fetchedAt, fp: a.fingerprint, c: clusterId, t: a.terms },
  ]);
}

const chat: Chat = {
  key: 'telegram:1',
  platform: 'telegram',
  chatId: '1',
  type: 'private',
  title: null,
  parentKey: null,
  locale: 'zh-Hans',
  script: 'hans',
  timezone: 'Asia/Shanghai',
  digestTimes: ['08:00'],
  paused: false,
  active: true,
  deactivatedReason: null,
  include: [],
  exclude: ['台湾'],
  subscriptions: [
    {
      id: 's1',
      kind: 'source',
      sourceId: 'mainland',
      keyword: null,
      instant: false,
      threadId: null,
      name: null,
      include: [],
      exclude: [],
      muted: false,
      createdAt: new Date(),
    },
    {
      id: 's2',
      kind: 'source',
      sourceId: 'hk',
      keyword: null,
      instant: false,
      threadId: null,
      name: null,
      include: [],
      exclude: [],
      muted: false,
      createdAt: new Date(),
    },
  ],
  lastDigestAt: null,
  lastDigestSlot: null,
  lastDigestSeq: null,
  createdAt: new Date(),
};

const deps = {
  index,
  articles: { getMany: async (ids: readonly string[]) => ids.flatMap((id) => articles.get(id) ?? []) },
  sourceNames: async () =>
    new Map([
      ['mainland', '央视网'],
      ['hk', '香港新聞'],
    ]),
};

describe('selectDigest', () => {
  store('old', 'mainland', '李家超参观香港抗战及海防博物馆', 1_000);
  store('repeat', 'hk', '李家超參觀香港抗戰及海防博物館', 5_000, 'old');
  store('fresh', 'hk', '深水灣泳灘8歲男童遇溺', 6_000);
  store('pair-a', 'mainland', '习近平会见联合国秘书长古特雷斯', 7_000);
  store('pair-b', 'hk', '習近平會見聯合國秘書長古特雷斯', 7_500, 'pair-a');
  store('filtered', 'mainland', '台湾新闻', 8_000);

  it('keeps one item per cluster, names the other source, and applies exclude filters script-insensitively', async () => {
    const [digest] = await selectDigest(deps, chat, {
      sinceMs: 2_000,
      afterSeq: null,
      upToSeq: Number.MAX_SAFE_INTEGER,
    });
    const items = digest!.groups.flatMap((g) => g.items);
    const ids = items.map((i) => i.articleId);
    expect(ids.filter((id) => id === 'pair-a' || id === 'pair-b')).toHaveLength(1);
    expect(
      items.find((i) => i.articleId === 'pair-b' || i.articleId === 'pair-a')!.alsoReportedBy.length,
    ).toBe(1);
    expect(ids).not.toContain('filtered');
    expect(ids).toContain('fresh');
  });

  it('does not repeat a story the chat got in an earlier digest when another outlet reports it later', async () => {
    const [digest] = await selectDigest(deps, chat, {
      sinceMs: 2_000,
      afterSeq: null,
      upToSeq: Number.MAX_SAFE_INTEGER,
    });
    const ids = digest!.groups.flatMap((g) => g.items.map((i) => i.articleId));
    expect(ids).not.toContain('repeat');
  });
});

describe('selectDigest with subscriptions’ own settings', () => {
  store('zw', 'hk', '臺\u200B灣\u2066選舉\u2069結果', 9_000);
  store('sport', 'hk', '香港體育新聞', 9_500);
  store('sport-ml', 'mainland', '全运会体育赛事开幕', 9_700);
  const [mainland, hk] = chat.subscriptions as [Subscription, Subscription];
  const ids = async (c: Chat) =>
    (
      await selectDigest(deps, c, { sinceMs: 2_000, afterSeq: null, upToSeq: Number.MAX_SAFE_INTEGER })
    ).flatMap((d) => d.groups.flatMap((g) => g.items.map((i) => i.articleId)));

  it('a zero-width or bidi character in a title does not let it past an exclude word', async () => {
    expect(await ids(chat)).not.toContain('zw');
    expect(await ids({ ...chat, exclude: [] })).toContain('zw');
  });

  it('applies a subscription’s own words on top of the chat’s, to that subscription only', async () => {
    const c = { ...chat, subscriptions: [mainland, { ...hk, exclude: ['体育'] }] };
    const got = await ids(c);
    expect(got).not.toContain('sport');
    expect(got).toContain('sport-ml');
    expect(got).toContain('fresh');
    const only = await ids({ ...chat, subscriptions: [mainland, { ...hk, include: ['泳滩'] }] });
    expect(only).toContain('fresh');
    expect(only).not.toContain('sport');
    expect(only).toContain('sport-ml');
    // The chat's exclude word still holds for a subscription with include words of its own.
    expect(await ids({ ...chat, subscriptions: [{ ...hk, include: ['选举'] }] })).toEqual([]);
  });

  it('takes another outlet’s report of a story when one subscription’s own words refuse the newest', async () => {
    // pair-b (Hong Kong, newest) and pair-a (mainland) are one story; only Hong Kong narrows.
    const c = { ...chat, subscriptions: [mainland, { ...hk, include: ['泳滩'] }] };
    const got = await ids(c);
    expect(got).toContain('pair-a');
    expect(got).not.toContain('pair-b');
    // The chat's own words still drop the whole story, whichever outlet reported it.
    expect(await ids({ ...chat, exclude: ['古特雷斯'] })).not.toEqual(expect.arrayContaining(['pair-a']));
    expect(await ids({ ...chat, exclude: ['古特雷斯'] })).not.toEqual(expect.arrayContaining(['pair-b']));
  });

  it('lets a keyword subscription deliver what a source subscription’s own filters refused', async () => {
    const keyword: Subscription = { ...hk, id: 's3', kind: 'keyword', sourceId: null, keyword: '體育' };
    const c = { ...chat, subscriptions: [mainland, { ...hk, exclude: ['体育'] }, keyword] };
    expect(await ids(c)).toContain('sport');
  });

  it('a muted subscription contributes nothing; unmuted it does again', async () => {
    const muted = await ids({ ...chat, subscriptions: [mainland, { ...hk, muted: true }] });
    expect(muted).not.toContain('fresh');
    expect(muted).not.toContain('sport');
    expect(muted).toEqual(['sport-ml', 'pair-a']);
    const mutedKeyword: Subscription = { ...hk, id: 's4', kind: 'keyword', sourceId: null, keyword: '泳滩' };
    expect(await ids({ ...chat, subscriptions: [{ ...mutedKeyword, muted: true }] })).toEqual([]);
    expect(await ids({ ...chat, subscriptions: [mutedKeyword] })).toEqual(['fresh']);
  });

  it('shows a renamed source under the chat’s name, also among the other sources of a story', async () => {
    const c = {
      ...chat,
      subscriptions: [
        { ...mainland, name: '央视' },
        { ...hk, name: '港闻' },
      ],
    };
    const [digest] = await selectDigest(deps, c, {
      sinceMs: 2_000,
      afterSeq: null,
      upToSeq: Number.MAX_SAFE_INTEGER,
    });
    expect(digest!.groups.map((g) => g.sourceName).sort()).toEqual(['央视', '港闻']);
    const pair = digest!.groups.flatMap((g) => g.items).find((i) => i.articleId === 'pair-b')!;
    expect(pair.sourceName).toBe('港闻');
    expect(pair.alsoReportedBy).toEqual(['央视']);
  });
});

describe('selectDigest through a run’s shared look-ups', () => {
  const [mainland, hk] = chat.subscriptions as [Subscription, Subscription];
  const window = { sinceMs: 2_000, afterSeq: null, upToSeq: Number.MAX_SAFE_INTEGER };
  const ids = (selected: Awaited<ReturnType<typeof selectDigest>>) =>
    selected.flatMap((d) => d.groups.flatMap((g) => g.items.map((i) => i.articleId))).sort();

  it('searches a keyword once for every chat of the run that follows it, each getting its own digest', async () => {
    const keyword: Subscription = { ...hk, id: 's5', kind: 'keyword', sourceId: null, keyword: '体育' };
    const chats: Chat[] = [
      { ...chat, key: 'telegram:k1', exclude: [], subscriptions: [mainland, keyword] },
      { ...chat, key: 'telegram:k2', exclude: [], subscriptions: [hk, keyword] },
      { ...chat, key: 'telegram:k3', exclude: ['全运会'], subscriptions: [keyword] },
    ];
    const alone = await Promise.all(chats.map(async (c) => ids(await selectDigest(deps, c, window))));
    let keywordSearches = 0;
    const counted: SearchIndex = Object.create(index);
    counted.search = (query, opts) => {
      if (!Array.isArray(query)) keywordSearches++;
      return index.search(query, opts);
    };
    const lookups = new SelectionLookups(counted);
    const shared = [];
    for (const c of chats) shared.push(ids(await selectDigest({ ...deps, index: lookups }, c, window)));
    expect(shared).toEqual(alone);
    expect(alone[0]).toContain('sport');
    expect(alone[2]).toEqual(['sport']);
    expect(keywordSearches).toBe(1);
  });
});
