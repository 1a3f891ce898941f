import { describe, expect, it } from 'vitest';
import { indexTerms, matchesKeyword, queryTerms } from '../../src/text/index-terms.ts';
import { normaliseForMatch } from '../../src/text/normalise.ts';

function expectFound(query: string, title: string): void {
  const terms = new Set(indexTerms(title));
  const wanted = queryTerms(query);
  expect(wanted.length).toBeGreaterThan(0);
  expect(wanted.filter((t) => !terms.has(t))).toEqual([]);
}

describe('queryTerms', () => {
  it('uses the bigrams of CJK runs', () => {
    expect(queryTerms('李家超参观')).toEqual(['李家', '家超', '超参', '参观']);
    expect(queryTerms('上合')).toEqual(['上合']);
    expect(queryTerms('“上合” 峰會')).toEqual(['上合', '峰会']);
  });

  it('keeps a one-character run and latin words', () => {
    expect(queryTerms('港')).toEqual(['港']);
    expect(queryTerms('APEC 2025')).toEqual(['apec', '2025']);
    expect(queryTerms('iPhone17发布')).toEqual(['iphone17', '发布']);
  });

  it('has no terms for punctuation only', () => {
    expect(queryTerms(' ，。!? “” ')).toEqual([]);
  });
});

describe('indexTerms', () => {
  it('lets a Simplified query find a Traditional title', () => {
    expectFound('李家超参观', '李家超參觀香港抗戰及海防博物館');
    expectFound('台湾', '臺灣新聞');
    expectFound('臺灣', '台湾新闻');
  });

  it('finds a quoted term', () => {
    expectFound('上合', '“上合”人文交流和民间外交情况有哪些亮点?这场吹风会告诉你↓');
  });

  it('is case- and width-insensitive for latin words', () => {
    expectFound('APEC', '亚太经合组织 apec 峰会');
    expectFound('apec', 'APEC峰會');
    expectFound('abc123', 'ＡＢＣ１２３');
    expect(indexTerms('ＡＢＣ１２３')).toEqual(['abc123']);
  });

  it('holds bigrams, single characters and latin words, deduplicated and without punctuation', () => {
    const terms = indexTerms('李家超參觀香港抗戰及海防博物館，博物館 APEC!');
    expect(terms).toContain('李家');
    // no segmented words: nothing queries them (a query is its bigrams)
    expect(terms).not.toContain('博物馆');
    expect(terms).toContain('apec');
    expect(new Set(terms).size).toBe(terms.length);
    for (const term of terms) expect(term).toMatch(/^[\p{L}\p{N}\p{M}]+$/u);
    // every CJK character is a term too, so one-character queries are plain look-ups
    expect(terms).toContain('李');
    expect(indexTerms('港 ·新聞')).toEqual(['港', '新闻', '新', '闻']);
    expectFound('港', '李家超參觀香港抗戰及海防博物館');
  });

  it('has no terms for empty or punctuation-only text', () => {
    expect(indexTerms('')).toEqual([]);
    expect(indexTerms('“”「」!?…')).toEqual([]);
  });

  it('keeps the term count of a headline reasonable', () => {
    const titles = [
      '墨西哥总统将会见美国国务卿 寻求就安全事务等议题达成合作',
      '中央駐港機構和駐港中資企業代表瞻仰祭掃香港抗日英烈紀念碑',
      '商务部国际贸易谈判代表兼副部长李成钢与美国政府部门相关官员举行会谈',
      '陳國基:胡鴻烈夫婦改變無數青年命運 引領教育工作者傳承「敦仁博物」精神',
    ];
    for (const title of titles) expect(indexTerms(title).length).toBeLessThan(100);
  });
});

describe('matchesKeyword', () => {
  const text = normaliseForMatch('“上合”人文交流 李家超參觀香港 APEC');

  it('matches regardless of script, width and case', () => {
    expect(matchesKeyword(text, '李家超参观')).toBe(true);
    expect(matchesKeyword(text, '參觀香港')).toBe(true);
    expect(matchesKeyword(text, 'ａｐｅｃ')).toBe(true);
    expect(matchesKeyword(text, '「上合」')).toBe(true);
    expect(matchesKeyword(text, '港')).toBe(true);
  });

  it('does not match absent or empty keywords, nor treat them as patterns', () => {
    expect(matchesKeyword(text, '台湾')).toBe(false);
    expect(matchesKeyword(text, '')).toBe(false);
    expect(matchesKeyword(text, '  ')).toBe(false);
    expect(matchesKeyword(text, '.*')).toBe(false);
  });
});
