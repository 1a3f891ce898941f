import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  compressEntries,
  decompressColumns,
  type PackedEntries,
  packEntries,
  unpackColumns,
} from '../../src/store/packed-entries.ts';
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

/** Entries with every kind of cluster: a third join an earlier one; some name a first article that never comes. */
function clusteredEntries(count: number, seed: number): IndexEntry[] {
  const r = lcg(seed);
  const words = ['港', '上合', '峰会', '李家', '新闻', '天津', 'ai'];
  const entries: IndexEntry[] = [];
  for (let i = 0; i < count; i++) {
    const joins = i > 0 && r() < 0.3;
    entries.push({
      i: `id${i}`,
      s: `s${Math.floor(r() * 7)}`,
      p: Math.floor(r() * 1e6),
      f: i * 10,
      fp: (Math.floor(r() * 2 ** 32) >>> 0).toString(16).padStart(8, '0').repeat(2),
      c: joins ? entries[Math.floor(r() * i)]!.c : r() < 0.05 ? `gone${i % 40}` : `id${i}`,
      t: words.filter(() => r() < 0.4),
      q: Math.floor(i / 20) + 1,
      h: `key${i % 13}`,
    });
  }
  return entries;
}

/**
 * The index against a plain reading of the same entries: every search, page and cluster is
 * what filtering and sorting the live entries themselves gives.
 */
function conformsToEntries(
  title: string,
  setup: () => { index: SearchIndex; entries: IndexEntry[]; live: IndexEntry[]; since?: number },
): void {
  describe(title, () => {
    const { index, entries, live, since = Number.NEGATIVE_INFINITY } = setup();
    const removed = entries.filter((e) => !live.includes(e)).map((e) => e.i);
    const newer = (a: IndexEntry, b: IndexEntry) => b.p - a.p || b.f - a.f;

    it('finds what filtering and sorting the entries finds, page by page', () => {
      type Case = { terms: string[]; opts: Record<string, unknown>; keep: (e: IndexEntry) => boolean };
      const cases: Case[] = [
        { terms: [], opts: {}, keep: () => true },
        {
          terms: ['港'],
          opts: { publishedSince: 300_000 },
          keep: (e) => e.t.includes('港') && e.p >= 300_000,
        },
        {
          terms: ['上合', '峰会'],
          opts: { seqAfter: 30, seqUpTo: 120 },
          keep: (e) => e.t.includes('上合') && e.t.includes('峰会') && e.q! > 30 && e.q! <= 120,
        },
        {
          terms: ['新闻'],
          opts: { sourceIds: new Set(['s2', 's5', 'nowhere']), fetchedAfter: 5000 },
          keep: (e) => e.t.includes('新闻') && ['s2', 's5'].includes(e.s) && e.f > 5000,
        },
        { terms: ['nothing'], opts: {}, keep: () => false },
      ];
      for (const { terms, opts, keep } of cases) {
        const expected = live.filter(keep).sort(newer);
        expect(index.search(terms, opts).map((h) => h.id)).toEqual(expected.map((e) => e.i));
        for (const [offset, limit] of [
          [0, 10],
          [7, 5],
          [0, 2000],
        ] as const) {
          const page = index.search(terms, { ...opts, offset, limit });
          expect(page.map((h) => h.id)).toEqual(expected.slice(offset, offset + limit).map((e) => e.i));
        }
      }
    });

    it('answers alternatives with their headline-key checks', () => {
      const hits = index.search({
        anyOf: [{ terms: ['港', 'ai'] }, { terms: ['天津'], accept: (key) => key === 'key3' }],
      });
      const expected = live
        .filter((e) => (e.t.includes('港') && e.t.includes('ai')) || (e.t.includes('天津') && e.h === 'key3'))
        .sort(newer);
      expect(hits.map((h) => h.id)).toEqual(expected.map((e) => e.i));
    });

    it('reports each hit as its entry says', () => {
      for (const h of index.search(['李家'], { limit: 50 })) {
        const e = entries.find((x) => x.i === h.id)!;
        expect(h).toEqual({
          id: e.i,
          sourceId: e.s,
          publishedAt: e.p,
          fetchedAt: e.f,
          clusterId: e.c,
          seq: e.q,
        });
      }
    });

    it('gives every cluster its live members, whichever member came first', () => {
      const byCluster = new Map<string, IndexEntry[]>();
      for (const e of live) byCluster.set(e.c, [...(byCluster.get(e.c) ?? []), e]);
      for (const c of new Set(entries.map((e) => e.c))) {
        const expected = (byCluster.get(c) ?? []).map((e) => e.i);
        expect(new Set(index.clusterMembers(c).map((m) => m.id))).toEqual(new Set(expected));
      }
    });

    it('counts, finds and lists only live articles, and never takes a removed one back', () => {
      expect(index.size).toBe(live.length);
      const gone = removed[0]!;
      expect(index.has(gone)).toBe(false);
      index.add(entries.filter((e) => e.i === gone));
      expect(index.has(gone)).toBe(false);
      expect(index.size).toBe(live.length);
      const before = Math.max(since, 0) + 2000;
      expect(new Set(index.fetchedBefore(before))).toEqual(
        new Set(live.filter((e) => e.f < before).map((e) => e.i)),
      );
    });
  });
}

conformsToEntries('SearchIndex against the entries it was given', () => {
  const entries = clusteredEntries(3000, 11);
  const index = new SearchIndex();
  // Out of journal order in places: a member can arrive before its cluster's first article.
  index.add(entries.slice(1500));
  index.add(entries.slice(0, 1500));
  const r = lcg(12);
  const removed = new Set(entries.filter(() => r() < 0.1).map((e) => e.i));
  index.remove(removed);
  return { index, entries, live: entries.filter((e) => !removed.has(e.i)) };
});

conformsToEntries('SearchIndex after articles expired and it was renumbered', () => {
  const entries = clusteredEntries(12_000, 13);
  let now = 100_000;
  const index = new SearchIndex({ retentionMs: 100_000, now: () => now });
  index.add(entries.slice(0, 9000));
  const r = lcg(14);
  // Some removed after they were read, some before.
  const removed = new Set(entries.filter((e) => e.f >= 70_000 && r() < 0.1).map((e) => e.i));
  index.remove(removed);
  now = 170_000;
  index.expire();
  // Added after the renumbering, joining clusters whose first articles are gone.
  index.add(entries.slice(9000));
  const since = now - 100_000;
  return { index, entries, since, live: entries.filter((e) => e.f >= since && !removed.has(e.i)) };
});

conformsToEntries('SearchIndex read from packed journal segments', () => {
  const entries = clusteredEntries(3000, 17);
  const index = new SearchIndex();
  // Through JSON, as a segment is stored; the second segment holds members of the first's clusters.
  for (const part of [entries.slice(0, 1800), entries.slice(1800)]) {
    const stored = JSON.stringify(packEntries(part, 0));
    index.addColumns(unpackColumns(JSON.parse(stored) as PackedEntries));
  }
  const r = lcg(18);
  const removed = new Set(entries.filter(() => r() < 0.1).map((e) => e.i));
  index.remove(removed);
  return { index, entries, live: entries.filter((e) => !removed.has(e.i)) };
});

conformsToEntries('SearchIndex read from binary journal segments (format 3)', () => {
  const entries = clusteredEntries(3000, 21);
  const index = new SearchIndex();
  for (const part of [entries.slice(0, 1800), entries.slice(1800)])
    index.addColumns(decompressColumns(compressEntries(part, 0)));
  const r = lcg(22);
  const removed = new Set(entries.filter(() => r() < 0.1).map((e) => e.i));
  index.remove(removed);
  return { index, entries, live: entries.filter((e) => !removed.has(e.i)) };
});

describe('packed journal segments', () => {
  it('keep terms past 65,536 in a segment (wider term numbers)', () => {
    const entries = Array.from({ length: 700 }, (_, k) => ({
      i: `w${k}`,
      s: 'src',
      p: k,
      f: k,
      fp: '0123456789abcdef',
      c: `w${k}`,
      t: Array.from({ length: 100 }, (_, x) => `t${k * 100 + x}`),
    }));
    const packed = packEntries(entries, 3);
    expect(packed.tw).toBe(4);
    const index = new SearchIndex();
    index.addColumns(unpackColumns(packed));
    expect(index.search(['t69999']).map((h) => h.id)).toEqual(['w699']);
    expect(index.search(['t0'])[0]).toMatchObject({ id: 'w0', seq: 3 });
  });

  it('are stored deflated, and bytes that do not inflate to packed entries are refused with a clear error', () => {
    const entries = clusteredEntries(50, 20);
    const bytes = compressEntries(entries, 9);
    expect(bytes.length).toBeLessThan(JSON.stringify(packEntries(entries, 9)).length / 2);
    const index = new SearchIndex();
    index.addColumns(decompressColumns(bytes));
    expect(index.size).toBe(50);
    expect(() => decompressColumns(bytes.subarray(0, 20))).toThrow(/does not inflate/);
    expect(() => decompressColumns(deflateRawSync('[1,2]'))).toThrow(/not packed entries/);
  });

  it('are written in format 3 and read the same as a format-2 segment written before', () => {
    const entries = clusteredEntries(300, 23);
    delete entries[3]!.h;
    entries[4]!.h = '';
    entries[5]!.h = '\ud800半個代理對';
    entries[6]!.h = '𠮷野家 港聞';
    const bytes = compressEntries(entries, 9);
    expect(inflateRawSync(bytes).toString('latin1', 0, 4)).toBe('NRS3');
    const v2 = deflateRawSync(JSON.stringify(packEntries(entries, 9)));
    const now = decompressColumns(bytes);
    expect(now).toEqual(decompressColumns(v2));
    expect(now.keys.slice(3, 7)).toEqual([undefined, '', '\ud800半個代理對', '𠮷野家 港聞']);
  });

  it('in format 3 are refused with a clear error when cut short or corrupt, without allocating what a count claims', () => {
    const raw = inflateRawSync(compressEntries(clusteredEntries(40, 24), 0));
    const refused = (bytes: Buffer) => () => decompressColumns(deflateRawSync(bytes));
    expect(refused(raw.subarray(0, raw.length - 1))).toThrow(/columns do not agree/);
    expect(refused(Buffer.concat([raw, Buffer.alloc(8)]))).toThrow(/columns do not agree/);
    const badHeader = Buffer.from(raw);
    badHeader.writeUInt32LE(raw.length, 4);
    expect(refused(badHeader)).toThrow(/columns do not agree/);
    const notJson = Buffer.from(raw);
    notJson[8] = 0x7d;
    expect(refused(notJson)).toThrow(/columns do not agree/);
    // The first article's term count made 2^31: the term numbers would need 4 GB.
    const jsonLength = raw.readUInt32LE(4);
    let at = 8 + jsonLength;
    at += (8 - (at % 8)) % 8;
    const n = 40;
    const termCountsAt = at + n * 8 * 2 + n * 4 * 2 + n * 8;
    const huge = Buffer.from(raw);
    huge.writeUInt32LE(2 ** 31, termCountsAt);
    expect(refused(huge)).toThrow(/columns do not agree/);
  });

  it('are refused with a clear error when their columns do not agree', () => {
    const packed = packEntries(clusteredEntries(20, 19), 0);
    expect(() => unpackColumns({ ...packed, i: packed.i.slice(1) })).toThrow(/columns do not agree/);
    expect(() => unpackColumns({ ...packed, terms: packed.terms.slice(1) })).toThrow(/columns do not agree/);
  });
});

describe('SearchIndex retention', () => {
  const entries = clusteredEntries(10, 16);
  it('does not take back an article removed before its batch was read', () => {
    const fresh = new SearchIndex();
    fresh.remove(['later']);
    fresh.add([{ ...entries[0]!, i: 'later', c: 'later' }]);
    expect(fresh.has('later')).toBe(false);
    expect(fresh.size).toBe(0);
  });

  it('reads a journal entry whose fingerprint is not one without failing the batch', () => {
    const fresh = new SearchIndex();
    fresh.add([
      { ...entries[0]!, i: 'odd', c: 'odd', fp: 'not hex at all!!' },
      { ...entries[1]!, i: 'next', c: 'next' },
    ]);
    expect(fresh.size).toBe(2);
  });

  it('forgets what is past retention, takes none of it back, and still finds near-duplicates', () => {
    const entries = clusteredEntries(10_000, 15);
    let now = 100_000;
    const index = new SearchIndex({ retentionMs: 50_000, now: () => now });
    index.add(entries);
    expect(index.size).toBe(5000);
    now = 150_000;
    index.expire();
    expect(index.size).toBe(0);
    index.add(entries.slice(0, 10));
    expect(index.size).toBe(0);
    now = 50_000;
    const again = new SearchIndex({ retentionMs: 50_000, now: () => now });
    again.add(entries);
    now = 100_000;
    again.expire();
    // By fingerprint alone (no terms to share), after the renumbering.
    const last = entries.at(-1)!;
    expect(again.findCluster({ ...last, i: 'probe', s: 'elsewhere', t: [] })).toBe(last.c);
    expect(again.has(entries[0]!.i)).toBe(false);
  });
});
