import { describe, expect, it } from 'vitest';
import { buildArticle } from '../../src/ingest/article-builder.ts';
import type { ParsedEntry } from '../../src/ingest/parsed-feed.ts';
import { matchesKeyword, queryTerms } from '../../src/text/index-terms.ts';
import { normaliseForMatch, stripUnsafeCharacters } from '../../src/text/normalise.ts';

function entry(over: Partial<ParsedEntry>): ParsedEntry {
  return {
    title: null,
    link: 'https://news.example.cn/a/1.html',
    id: null,
    summary: null,
    content: null,
    author: null,
    published: null,
    updated: null,
    enclosures: [],
    thumbnails: [],
    ...over,
  };
}

const now = new Date('2026-12-03T08:00:00Z');

describe('control, zero-width and bidi characters', () => {
  const hidden = [
    '\u200b', // zero-width space
    '\u200d', // zero-width joiner
    '\u200c', // zero-width non-joiner
    '\u2060', // word joiner
    '\ufeff', // zero-width no-break space
    '\u00ad', // soft hyphen
    '\u202e', // right-to-left override
    '\u2066', // left-to-right isolate
    '\u200f', // right-to-left mark
    '\u0007', // bell
    '\u009b', // C1 control
    '\u{e0041}', // tag character
  ];

  it('keyword filters match through them', () => {
    for (const h of hidden) {
      const title = `美${h}国批准丹${h}麦协议`;
      expect(matchesKeyword(normaliseForMatch(title), '美国'), JSON.stringify(h)).toBe(true);
      expect(matchesKeyword(normaliseForMatch(title), '丹麦'), JSON.stringify(h)).toBe(true);
      expect(normaliseForMatch(title)).toBe(normaliseForMatch('美国批准丹麦协议'));
    }
  });

  it('are stripped from stored titles, leads and authors, so search terms match', () => {
    const built = buildArticle(
      entry({
        title: '\u202e美\u200b国\u2066批准\u2069丹\u200d麦\u0001协议',
        summary: '<p>格陵兰\u200b岛\u202c</p>',
        author: '记\u200f者',
      }),
      'src',
      'https://news.example.cn/rss.xml',
      now,
    )!;
    expect(built.article.title).toBe('美国批准丹麦协议');
    expect(built.article.summary).toBe('格陵兰岛');
    expect(built.article.author).toBe('记者');
    for (const term of queryTerms('丹麦')) expect(built.article.terms).toContain(term);
  });

  it('keeps emoji sequences and the joiners of scripts that need them', () => {
    expect(stripUnsafeCharacters('👨\u200d👩\u200d👧 家庭')).toBe('👨\u200d👩\u200d👧 家庭');
    expect(stripUnsafeCharacters('❤\ufe0f\u200d🔥')).toBe('❤\ufe0f\u200d🔥');
    const flag = '🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}';
    expect(stripUnsafeCharacters(flag)).toBe(flag);
    expect(stripUnsafeCharacters('می\u200cخواهم')).toBe('می\u200cخواهم');
    expect(stripUnsafeCharacters('美\u200c国')).toBe('美国');
    expect(stripUnsafeCharacters('a\tb\nc')).toBe('a\tb\nc');
  });

  it('cuts a megabyte title and lead without spreading them into arrays', () => {
    const built = buildArticle(
      entry({ title: '标题'.repeat(1_000_000), summary: `<p>${'导语'.repeat(2_000_000)}</p>` }),
      'src',
      'https://news.example.cn/rss.xml',
      now,
    )!;
    expect([...built.article.title]).toHaveLength(300);
    expect(built.article.title.endsWith('…')).toBe(true);
    expect([...built.article.summary]).toHaveLength(600);
  });

  it('cuts at a code point, never inside a surrogate pair', () => {
    const built = buildArticle(entry({ title: '𠮷'.repeat(400) }), 'src', 'https://x.example/rss', now)!;
    expect(built.article.title).toBe(`${'𠮷'.repeat(299)}…`);
  });
});
