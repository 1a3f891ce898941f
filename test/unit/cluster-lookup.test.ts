/** SearchIndex.findCluster: which cluster a new article joins (candidates, verification, old entries). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type IndexEntry, SearchIndex } from '../../src/store/search-index.ts';
import { fingerprint } from '../../src/text/fingerprint.ts';
import { headlineKey } from '../../src/text/headline-key.ts';
import { indexTerms } from '../../src/text/index-terms.ts';
import { isSameStory } from '../../src/text/same-story.ts';

const HOUR = 3_600_000;
const t0 = Date.parse('2025-08-30T08:00:00Z');
let serial = 0;

/** An index entry as the ingest path builds it (indexEntryOf of a built article). */
function entry(title: string, opts: { source?: string; at?: number; cluster?: string } = {}): IndexEntry {
  const id = `a${++serial}`;
  const at = opts.at ?? t0;
  return {
    i: id,
    s: opts.source ?? `src${serial}`,
    p: at,
    f: at,
    fp: fingerprint(title),
    c: opts.cluster ?? id,
    t: indexTerms(title),
    h: headlineKey(title),
  };
}

function indexOf(...entries: IndexEntry[]): SearchIndex {
  const index = new SearchIndex();
  index.add(entries);
  return index;
}

describe('SearchIndex.findCluster', () => {
  it('joins the same headline from another outlet, in the other script', () => {
    const first = entry('中央驻港机构和驻港中资企业代表瞻仰祭扫香港抗日英烈纪念碑 - 新华网');
    const index = indexOf(first, entry('中央驻港机构代表出席国庆升旗仪式'));
    expect(
      index.findCluster(entry('中央駐港機構和駐港中資企業代表瞻仰祭掃香港抗日英烈紀念碑｜星島日報')),
    ).toBe(first.c);
  });

  it('keeps a numbered series apart even when every other word is the same', () => {
    const index = indexOf(entry('科技爱好者周刊：第 101 期', { source: 'ruanyf' }));
    expect(index.findCluster(entry('科技爱好者周刊：第 102 期', { source: 'ruanyf' }))).toBeNull();
  });

  it('never joins an entry journaled before headline keys existed (it cannot be verified)', () => {
    const title = '深水灣泳灘8歲男童遇溺';
    const { h: _h, ...old } = entry(title);
    const index = indexOf(old);
    expect(index.findCluster(entry(title))).toBeNull();
    // A later article of the same story that has a key is joined as usual.
    const later = entry('深水湾泳滩8岁男童遇溺');
    index.add([later]);
    expect(index.findCluster(entry(title))).toBe(later.c);
  });

  it('treats one source repeating a headline a day later as a recurring column, not a repost', () => {
    const column = entry('每日财经早餐', { source: 'daily', at: t0 });
    const index = indexOf(column);
    expect(index.findCluster(entry('每日财经早餐', { source: 'daily', at: t0 + 24 * HOUR }))).toBeNull();
    expect(index.findCluster(entry('每日财经早餐', { source: 'daily', at: t0 + 2 * HOUR }))).toBe(column.c);
    expect(index.findCluster(entry('每日财经早餐', { source: 'other', at: t0 + 24 * HOUR }))).toBe(column.c);
  });

  it('checks the cluster’s first article too, so a cluster cannot drift from story to story', () => {
    const first = entry('美国批准向丹麦出售武器');
    const second = entry('美国批准向丹麦、乌克兰出售武器', { cluster: first.c });
    const index = indexOf(first, second);
    const third = entry('美国批准向乌克兰出售武器');
    // Same story as the second (a deletion), not as the first (丹麦 → 乌克兰).
    expect(isSameStory(third.h!, second.h!)).toBe(true);
    expect(isSameStory(third.h!, first.h!)).toBe(false);
    expect(index.findCluster(third)).toBeNull();
  });

  it('finds a reworded headline through shared terms among many articles that share common words', () => {
    const target = entry('毛里塔尼亚驳斥“人权观察”组织关于毛移民问题的报告', { at: t0 - 30 * HOUR });
    const probe = entry('毛里塔尼亚驳斥人权观察组织报告', { at: t0 });
    // SimHash alone would not find it: the reworded headline is far from the original.
    expect(index().findCluster(probe)).toBe(target.c);

    function index(): SearchIndex {
      const fixture = path.resolve(
        path.dirname(fileURLToPath(import.meta.url)),
        '../fixtures/near-duplicates/pairs.json',
      );
      const { pairs } = JSON.parse(readFileSync(fixture, 'utf8')) as {
        pairs: Array<{ a: { title: string }; b: { title: string } }>;
      };
      const seed = readFileSync('/work/shared/seeds/000_eb0fc7206f7cd6cf.txt', 'utf8').split('\n');
      const titles = [...pairs.flatMap((p) => [p.a.title, p.b.title]), ...seed.filter((l) => l.length > 8)];
      const crowd = titles.filter(
        (t) => !isSameStory(headlineKey(t), probe.h!) && !isSameStory(headlineKey(t), target.h!),
      );
      const idx = indexOf(target);
      // Newer than the target: the crowd fills the newest postings of the shared terms.
      crowd.forEach((t, k) => {
        idx.add([entry(t, { at: t0 - 29 * HOUR + k * 1000 })]);
        idx.add([entry(`香港${t}`, { at: t0 - 29 * HOUR + k * 1000 + 500 })]);
      });
      expect(idx.size).toBeGreaterThan(1000);
      return idx;
    }
  });

  it('looks for reworded headlines only among the last three days, identical ones at any age', () => {
    const old = entry('毛里塔尼亚驳斥“人权观察”组织关于毛移民问题的报告', { at: t0 - 4 * 24 * HOUR });
    const index = indexOf(old);
    expect(index.findCluster(entry('毛里塔尼亚驳斥人权观察组织报告', { at: t0 }))).toBeNull();
    expect(
      index.findCluster(entry('毛里塔尼亚驳斥“人权观察”组织关于毛移民问题的报告 - 新华网', { at: t0 })),
    ).toBe(old.c);
  });

  it('does not cluster a headline with nothing to compare', () => {
    const index = indexOf(entry('↓↓↓'));
    expect(index.findCluster(entry('↓↓↓'))).toBeNull();
  });
});
