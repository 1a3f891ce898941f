import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../src/commands/command-actions.ts';
import { rememberResults, resultNumbered } from '../../src/commands/result-memory.ts';
import { storyButtons } from '../../src/commands/story-commands.ts';
import type { Headline } from '../../src/search/headlines-service.ts';
import { guessRegion, parseRegion, regionOf } from '../../src/sources/source-region.ts';

describe('guessRegion', () => {
  it('reads the region from the host: .cn and known mainland hosts, .hk, .tw, else overseas', () => {
    expect(guessRegion('https://www.news.cn/rss.xml')).toBe('mainland');
    expect(guessRegion('http://www.people.com.cn/rss/politics.xml')).toBe('mainland');
    expect(guessRegion('https://rss.xinhuanet.com/world.xml')).toBe('mainland');
    expect(guessRegion('https://www.thepaper.cn/rss')).toBe('mainland');
    expect(guessRegion('https://news.rthk.hk/rthk/ch/rss.xml')).toBe('hk');
    expect(guessRegion('https://www.scmp.com/rss/91/feed')).toBe('hk');
    expect(guessRegion('https://www.cna.com.tw/rss.xml')).toBe('tw');
    expect(guessRegion('https://news.ltn.com/rss/all.xml')).toBe('tw');
    expect(guessRegion('https://www.zaobao.com.sg/rss.xml')).toBe('overseas');
    expect(guessRegion('https://feeds.bbci.co.uk/zhongwen/simp/rss.xml')).toBe('overseas');
  });

  it('is not fooled by look-alike hosts and survives garbage', () => {
    expect(guessRegion('https://cn.example.com/feed')).toBe('overseas');
    expect(guessRegion('https://notxinhuanet.com/feed')).toBe('overseas');
    expect(guessRegion('https://xinhuanet.com.evil.example/feed')).toBe('overseas');
    expect(guessRegion('https://hk.example.org/feed')).toBe('overseas');
    expect(guessRegion('not a url')).toBe('overseas');
    expect(guessRegion('https://www.news.cn./rss')).toBe('mainland');
  });

  it('an operator-set region wins over the guess', () => {
    expect(regionOf({ url: 'https://www.news.cn/rss', region: 'overseas' })).toBe('overseas');
    expect(regionOf({ url: 'https://www.news.cn/rss', region: null })).toBe('mainland');
  });

  it('parses the regions as an operator types them', () => {
    expect(parseRegion(' HK ')).toBe('hk');
    expect(parseRegion('台灣')).toBe('tw');
    expect(parseRegion('mainland')).toBe('mainland');
    expect(parseRegion('overseas')).toBe('overseas');
    expect(parseRegion('mars')).toBeNull();
  });
});

describe('story references', () => {
  it('a story button round-trips through its action and refuses forged data', () => {
    const data = encodeAction({ kind: 'story', articleId: 'AbC_d-0123456789abcdef' });
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(decodeAction(data)).toEqual({ kind: 'story', articleId: 'AbC_d-0123456789abcdef' });
    expect(decodeAction('sty:')).toBeNull();
    expect(decodeAction('sty:../../x')).toBeNull();
    expect(decodeAction(`sty:${'a'.repeat(41)}`)).toBeNull();
  });

  it('numbers of the last list count as its header does, or as positions on the page', () => {
    rememberResults('telegram:1', 10, ['k', 'l', 'm']);
    expect(resultNumbered('telegram:1', 11)).toBe('k');
    expect(resultNumbered('telegram:1', 13)).toBe('m');
    expect(resultNumbered('telegram:1', 2)).toBe('l');
    expect(resultNumbered('telegram:1', 14)).toBeNull();
    expect(resultNumbered('telegram:1', 0)).toBeNull();
    expect(resultNumbered('telegram:2', 1)).toBeNull();
    // A newer list replaces the older one.
    rememberResults('telegram:1', 0, ['a']);
    expect(resultNumbered('telegram:1', 11)).toBeNull();
    expect(resultNumbered('telegram:1', 1)).toBe('a');
  });
});

describe('story buttons', () => {
  const ctx = { locale: 'en' } as Parameters<typeof storyButtons>[0];
  const headline = (n: number, others: string[]): Headline => ({
    id: `id${n}`,
    title: `第${n}条${'长'.repeat(40)}`,
    originalTitle: '',
    url: `https://x.example/${n}`,
    source: 's',
    sourceId: 's',
    publishedAt: new Date(0),
    summary: '',
    alsoReportedBy: others,
  });

  it('go only to headlines other outlets carry, at most three, one a row, with short labels', () => {
    const rows = storyButtons(ctx, [
      headline(1, ['a']),
      headline(2, []),
      headline(3, ['b']),
      headline(4, ['c']),
      headline(5, ['d']),
    ]);
    expect(rows.map((r) => r.map((b) => b.action))).toEqual([['sty:id1'], ['sty:id3'], ['sty:id4']]);
    for (const [b] of rows) expect([...b!.label].length).toBeLessThanOrEqual(27);
  });
});
