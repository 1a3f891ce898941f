import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type IndexEntry, SearchIndex } from '../../src/store/search-index.ts';
import { filterText, matchesFilterWord, passesFilters } from '../../src/text/filter-match.ts';
import { headlineKey } from '../../src/text/headline-key.ts';
import { indexTerms, queryAlternatives } from '../../src/text/index-terms.ts';
import { normaliseForMatch } from '../../src/text/normalise.ts';
import {
  ALIAS_GROUPS,
  EXCLUDED_OPENCC_PAIRS,
  PROTECTED_PHRASES,
  VARIANT_GUARDS,
} from '../../src/text/regional-aliases.ts';
import {
  MAX_ALTERNATIVES,
  regionalAlternatives,
  regionalVariants,
  vocabularySize,
} from '../../src/text/regional-vocabulary.ts';

interface Pair {
  query: string;
  headline: string;
  match: boolean;
}

const pairs = JSON.parse(
  readFileSync(new URL('../fixtures/regional/pairs.json', import.meta.url), 'utf8'),
) as Pair[];

/** Precision and recall of `decide` over the labelled pairs, with the pairs it got wrong. */
function measure(decide: (p: Pair) => boolean) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const wrong: string[] = [];
  for (const p of pairs) {
    const got = decide(p);
    if (got && p.match) tp++;
    else if (got && !p.match) fp++;
    else if (!got && p.match) fn++;
    if (got !== p.match) wrong.push(`${p.match ? 'missed' : 'false match'}: ${p.query} / ${p.headline}`);
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn), wrong };
}

describe('regional vocabulary: labelled query / headline pairs', () => {
  it('has at least 100 pairs, hard negatives among them', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(100);
    expect(pairs.filter((p) => !p.match).length).toBeGreaterThanOrEqual(30);
  });

  it('filters (include words) hold precision ≥ 95 % and recall ≥ 90 %', () => {
    const r = measure((p) => matchesFilterWord(filterText(p.headline), p.query));
    console.log(
      `regional filters: P=${(r.precision * 100).toFixed(1)}% R=${(r.recall * 100).toFixed(1)}% over ${pairs.length} pairs`,
      r.wrong,
    );
    expect(r.precision).toBeGreaterThanOrEqual(0.95);
    expect(r.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('search (the in-memory index) holds precision ≥ 95 % and recall ≥ 90 %', () => {
    const index = new SearchIndex();
    const entries: IndexEntry[] = pairs.map((p, n) => ({
      i: `a${n}`,
      s: 's',
      p: n,
      f: n,
      fp: '0000000000000000',
      c: `a${n}`,
      t: indexTerms(p.headline),
      h: headlineKey(p.headline),
    }));
    index.add(entries);
    const r = measure((p) => {
      const hits = index.search({ anyOf: queryAlternatives(p.query) });
      return hits.some((h) => h.id === `a${pairs.indexOf(p)}`);
    });
    console.log(
      `regional search: P=${(r.precision * 100).toFixed(1)}% R=${(r.recall * 100).toFixed(1)}% over ${pairs.length} pairs`,
      r.wrong,
    );
    expect(r.precision).toBeGreaterThanOrEqual(0.95);
    expect(r.recall).toBeGreaterThanOrEqual(0.9);
  });
});

describe('regional vocabulary', () => {
  it('groups the words of the issue', () => {
    expect(regionalVariants('信息')).toContain('资讯');
    expect(regionalVariants('出租车')).toEqual(expect.arrayContaining(['的士', '计程车']));
    expect(regionalVariants('悉尼')).toContain('雪梨');
    expect(regionalVariants('特朗普')).toContain('川普');
    expect(regionalVariants('软件')).toContain('软体');
    expect(regionalVariants('网络')).toContain('网路');
  });

  it('reads OpenCC entries as matching sees text: U盤 is u盘, so U盘 finds 隨身碟', () => {
    expect(regionalVariants('u盘')).toContain('随身碟');
    expect(matchesFilterWord(filterText('隨身碟遺失導致個資外洩'), 'U盘')).toBe(true);
  });

  it('leaves out the pairs whose regional word is an everyday word elsewhere', () => {
    expect(regionalVariants('支持')).not.toContain('支援');
    expect(regionalVariants('视频')).not.toContain('影片');
    expect(regionalVariants('发布')).not.toContain('释出');
  });

  it('the reviewed lists are written as normalisation leaves text, and every exclusion holds', () => {
    const words = [
      ...ALIAS_GROUPS.flat(),
      ...PROTECTED_PHRASES,
      ...VARIANT_GUARDS,
      ...EXCLUDED_OPENCC_PAIRS.flatMap((p) => p.split('=')),
    ];
    expect(words.filter((w) => normaliseForMatch(w) !== w)).toEqual([]);
    const joined = EXCLUDED_OPENCC_PAIRS.filter((p) => {
      const [a, b] = p.split('=') as [string, string];
      return regionalVariants(a).includes(b);
    });
    expect(joined).toEqual([]);
  });

  it('stays small: groups of a few words, a vocabulary of a few thousand phrases', () => {
    const size = vocabularySize();
    expect(size.phrases).toBeLessThan(5000);
    expect(size.largestGroup).toBeLessThanOrEqual(6);
  });

  it('expands a query into the product of its words’ variants, its own spelling first, bounded', () => {
    const alts = regionalAlternatives(normaliseForMatch('特朗普 软件')).map((a) => a.text);
    expect(alts).toEqual(['特朗普 软件', '特朗普 软体', '川普 软件', '川普 软体']);
    const long = regionalAlternatives(normaliseForMatch('出租车 悉尼 特朗普 软件 网络 信息 普京'));
    expect(long.length).toBe(MAX_ALTERNATIVES);
    expect(long[0]!.text).toBe('出租车 悉尼 特朗普 软件 网络 信息 普京');
  });

  it('an exclude word drops headlines written with its variant too', () => {
    const text = filterText('川普宣布加徵關稅');
    expect(passesFilters(text, { include: [], exclude: ['特朗普'] })).toBe(false);
    expect(passesFilters(filterText('四川普通話比賽'), { include: [], exclude: ['特朗普'] })).toBe(true);
  });

  it('a guard stops variants but not the word as typed; a protected phrase stops both', () => {
    const peninsula = filterText('朝鮮半島局勢');
    expect(matchesFilterWord(peninsula, '朝鲜')).toBe(true);
    expect(matchesFilterWord(peninsula, '北韓')).toBe(false);
    const dialect = filterText('四川普通话大赛');
    expect(matchesFilterWord(dialect, '川普')).toBe(false);
    expect(matchesFilterWord(dialect, '特朗普')).toBe(false);
    expect(matchesFilterWord(filterText('软体动物'), '軟體')).toBe(false);
  });

  it('a query without regional words is one alternative; one without terms is none', () => {
    expect(queryAlternatives('上合峰会')).toHaveLength(1);
    expect(queryAlternatives('!!!')).toEqual([]);
  });

  it('a variant never matches an entry without a headline key (journaled before keys existed)', () => {
    const index = new SearchIndex();
    index.add([{ i: 'x', s: 's', p: 1, f: 1, fp: '0000000000000000', c: 'x', t: indexTerms('川普訪日') }]);
    expect(index.search({ anyOf: queryAlternatives('特朗普') })).toEqual([]);
    expect(index.search({ anyOf: queryAlternatives('川普') }).map((h) => h.id)).toEqual(['x']);
  });
});
