import { describe, expect, it } from 'vitest';
import { type IndexEntry, SearchIndex } from '../../src/store/search-index.ts';

function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function build(n: number): SearchIndex {
  const r = lcg(7);
  const words = ['港', '上合', '峰会', '李家', '新闻', '天津'];
  const entries: IndexEntry[] = Array.from({ length: n }, (_, i) => ({
    i: `a${i}`,
    s: `s${i % 5}`,
    p: Math.floor(r() * 1e6),
    f: i,
    fp: '0000000000000000',
    c: `c${Math.floor(r() * n * 0.7)}`,
    t: words.filter(() => r() < 0.4),
  }));
  const index = new SearchIndex();
  index.add(entries);
  return index;
}

describe('SearchIndex.newest', () => {
  const index = build(5000);

  it('gives the same page as sorting every match and keeping one article per cluster', () => {
    for (const [terms, opts] of [
      [[], {}],
      [['港'], {}],
      [['上合', '峰会'], {}],
      [[], { sourceIds: new Set(['s1', 's3']) }],
      [['新闻'], { publishedSince: 500_000 }],
    ] as const) {
      for (const want of [1, 10, 50, 400]) {
        const all = index.search(terms, opts);
        const seen = new Set<string>();
        const expected = all.filter((h) => !seen.has(h.clusterId) && Boolean(seen.add(h.clusterId)));
        const { hits, total } = index.newest(terms, opts, want);
        expect(total).toBe(all.length);
        expect(hits.map((h) => h.id)).toEqual(expected.slice(0, want).map((h) => h.id));
      }
    }
  });

  it('skips removed articles', () => {
    const first = index.newest([], {}, 1).hits[0]!;
    index.remove([first.id]);
    expect(index.newest([], {}, 5).hits.map((h) => h.id)).not.toContain(first.id);
  });
});
