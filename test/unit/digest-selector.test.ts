import { describe, expect, it } from 'vitest';
import { selectDigest } from '../../src/digest/digest-selector.ts';
import type { Article, Chat } from '../../src/domain/types.ts';
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
      createdAt: new Date(),
    },
    {
      id: 's2',
      kind: 'source',
      sourceId: 'hk',
      keyword: null,
      instant: false,
      threadId: null,
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
