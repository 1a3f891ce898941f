import { describe, expect, it } from 'vitest';
import {
  applyFilterChange,
  parseFilterChange,
  parseFilterLists,
  parseSubscriptionName,
} from '../../src/chats/chat-rules.ts';
import { UserError } from '../../src/errors.ts';
import { filterText, matchesFilterWord, passesFilters, stripInvisible } from '../../src/text/filter-match.ts';

/** Every character the filters must not see, each named. */
const INVISIBLE: Record<string, string> = {
  'zero-width space': '\u200B',
  'zero-width non-joiner': '\u200C',
  'zero-width joiner': '\u200D',
  'word joiner': '\u2060',
  'byte-order mark': '\uFEFF',
  'left-to-right mark': '\u200E',
  'right-to-left mark': '\u200F',
  'left-to-right embedding': '\u202A',
  'right-to-left embedding': '\u202B',
  'pop directional formatting': '\u202C',
  'left-to-right override': '\u202D',
  'right-to-left override': '\u202E',
  'left-to-right isolate': '\u2066',
  'right-to-left isolate': '\u2067',
  'first strong isolate': '\u2068',
  'pop directional isolate': '\u2069',
};

const userError = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
};

describe('filterText and matchesFilterWord', () => {
  it('match across scripts, widths and case', () => {
    const text = filterText('臺灣選舉結果公布 ＡＰＥＣ峰會');
    expect(matchesFilterWord(text, '台湾')).toBe(true);
    expect(matchesFilterWord(text, '選舉')).toBe(true);
    expect(matchesFilterWord(text, 'apec')).toBe(true);
    expect(matchesFilterWord(text, '体育')).toBe(false);
  });

  for (const [name, ch] of Object.entries(INVISIBLE)) {
    it(`are blind to a ${name} (U+${ch.codePointAt(0)!.toString(16).toUpperCase()}) in a title or in a word`, () => {
      // In the title: an exclude word still catches it.
      const title = filterText(`臺${ch}灣選舉 ${ch}APEC${ch}`);
      expect(matchesFilterWord(title, '台湾')).toBe(true);
      expect(matchesFilterWord(title, 'apec')).toBe(true);
      expect(passesFilters(title, { include: [], exclude: ['台湾'] })).toBe(false);
      // In the word: it still matches the plain title.
      const plain = filterText('台湾选举');
      expect(matchesFilterWord(plain, `台${ch}湾`)).toBe(true);
      expect(passesFilters(plain, { include: [`${ch}选举${ch}`], exclude: [] })).toBe(true);
      // A word of nothing but invisible characters matches nothing (it is not an empty needle).
      expect(matchesFilterWord(plain, ch)).toBe(false);
    });
  }

  it('keep visible text as it is', () => {
    expect(stripInvisible('a\u00A0b　c 台湾')).toBe('a\u00A0b　c 台湾');
    expect(stripInvisible('a\u200Bb\u202Ec\uFEFF')).toBe('abc');
  });
});

describe('passesFilters', () => {
  const text = filterText('香港天星小輪加班 體育新聞');

  it('needs one include word of each list and no exclude word of any', () => {
    expect(passesFilters(text)).toBe(true);
    expect(passesFilters(text, { include: ['天星', '台湾'], exclude: [] })).toBe(true);
    expect(passesFilters(text, { include: ['台湾'], exclude: [] })).toBe(false);
    expect(passesFilters(text, { include: [], exclude: ['体育'] })).toBe(false);
    // The chat lets it through; the subscription's own words refuse it.
    const chat = { include: ['香港'], exclude: [] };
    expect(passesFilters(text, chat, { include: [], exclude: [] })).toBe(true);
    expect(passesFilters(text, chat, { include: [], exclude: ['體育'] })).toBe(false);
    expect(passesFilters(text, chat, { include: ['澳门'], exclude: [] })).toBe(false);
  });
});

describe('filter words as typed', () => {
  it('drop invisible characters before reading signs and words', () => {
    expect(parseFilterChange('\u200B-體\u200D育 +\u2066臺灣\u2069')).toEqual({
      clear: false,
      include: ['台湾'],
      exclude: ['体育'],
    });
    expect(parseFilterChange('\u200Bclear')).toEqual({ clear: true });
  });

  it('refuse a word that is nothing once invisible characters are gone, or too long', () => {
    expect(userError(() => parseFilterChange('+\u200B\u200B')).key).toBe('filter.invalid');
    expect(userError(() => parseFilterChange(`+${'长'.repeat(51)}`)).key).toBe('filter.invalid');
    expect(userError(() => parseFilterChange(' \uFEFF ')).key).toBe('filter.usage');
  });

  it('read separate include and exclude lists (Discord options)', () => {
    expect(parseFilterLists({ include: '臺灣, 香港', exclude: '體育', clear: false })).toEqual({
      clear: false,
      include: ['台湾', '香港'],
      exclude: ['体育'],
    });
    expect(parseFilterLists({ include: null, exclude: null, clear: false })).toBeNull();
    expect(parseFilterLists({ include: 'x', exclude: null, clear: true })).toEqual({ clear: true });
    expect(userError(() => parseFilterLists({ include: '\u202E', exclude: null, clear: false })).key).toBe(
      'filter.invalid',
    );
    expect(
      userError(() => parseFilterLists({ include: null, exclude: '长'.repeat(51), clear: false })).key,
    ).toBe('filter.invalid');
  });
});

describe('applyFilterChange', () => {
  it('moves a word between lists and refuses a list past the limit, changing nothing', () => {
    const before = { include: ['台湾'], exclude: ['体育'] };
    expect(applyFilterChange(before, { clear: false, include: ['体育'], exclude: [] })).toEqual({
      include: ['台湾', '体育'],
      exclude: [],
    });
    const full = { include: Array.from({ length: 20 }, (_, n) => `词${n}`), exclude: [] };
    const err = userError(() => applyFilterChange(full, { clear: false, include: ['再一个'], exclude: [] }));
    expect(err.key).toBe('filter.tooMany');
    expect(full.include).toHaveLength(20);
    expect(applyFilterChange(full, { clear: true })).toEqual({ include: [], exclude: [] });
  });
});

describe('parseSubscriptionName', () => {
  it('keeps the visible name, whitespace collapsed', () => {
    expect(parseSubscriptionName('  香港\u200B新聞 \u202E  早報\n')).toBe('香港新聞 早報');
  });

  it('refuses empty, too long or signed names', () => {
    for (const bad of ['', '\u200B\u2066', '长'.repeat(41), '+港聞', '-港聞', '＋港聞']) {
      const err = userError(() => parseSubscriptionName(bad));
      expect(err.key).toBe('rename.invalid');
      expect(err.usage).toBe('rename.usage');
    }
    expect(parseSubscriptionName('长'.repeat(40))).toHaveLength(40);
  });
});
