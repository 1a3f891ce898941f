/**
 * Near-duplicate clustering measured on the hand-labelled headline pairs of
 * test/fixtures/near-duplicates/pairs.json (issue 7). Each pair goes through the ingest path's
 * own steps: buildArticle on both entries, the first stored in a SearchIndex, the second looked
 * up with SearchIndex.findCluster — "same" when it joins the first one's cluster. Prints the
 * confusion table per category and the misclassified pairs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/domain/types.ts';
import { buildArticle } from '../../src/ingest/article-builder.ts';
import { indexEntryOf, SearchIndex } from '../../src/store/search-index.ts';
import { headlineKey } from '../../src/text/headline-key.ts';
import { compareHeadlines } from '../../src/text/same-story.ts';

interface Side {
  title: string;
  lead?: string;
}

interface Pair {
  id: string;
  category: string;
  label: 'same' | 'different';
  note?: string;
  a: Side;
  b: Side;
}

const file = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/near-duplicates/pairs.json',
);
const { pairs } = JSON.parse(readFileSync(file, 'utf8')) as { pairs: Pair[] };
const now = new Date('2025-08-30T08:00:00Z');

function article(side: Side, id: string, sourceId: string): Article {
  const built = buildArticle(
    {
      title: side.title,
      link: `https://news.example/${id}`,
      id: null,
      summary: side.lead ?? null,
      content: null,
      author: null,
      published: new Date(now.getTime() - 3_600_000),
      updated: null,
      enclosures: [],
      thumbnails: [],
    },
    sourceId,
    `https://${sourceId}.example/feed.xml`,
    now,
  );
  if (!built) throw new Error(`pair ${id}: buildArticle gave nothing`);
  return built.article;
}

/** The ingest path's decision: does `second`, arriving after `first`, join its cluster? */
function joins(first: Article, second: Article): boolean {
  const index = new SearchIndex();
  index.add([indexEntryOf(first)]);
  return index.findCluster(indexEntryOf(second)) === first.clusterId;
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

function ratio(x: number, y: number): string {
  return y === 0 ? '   -  ' : `${((100 * x) / y).toFixed(1).padStart(5)}%`;
}

function row(name: string, t: Tally): string {
  const n = t.tp + t.fp + t.fn + t.tn;
  const cells = [t.tp, t.fp, t.fn, t.tn].map((v) => String(v).padStart(4)).join('');
  return `${name.padEnd(28)}${String(n).padStart(5)}${cells}  ${ratio(t.tp, t.tp + t.fp)}  ${ratio(t.tp, t.tp + t.fn)}`;
}

describe('near-duplicate clustering on the labelled headline pairs', () => {
  const results = pairs.map((p) => {
    const a = article(p.a, `${p.id}-a`, 'source-a');
    const b = article(p.b, `${p.id}-b`, 'source-b');
    return { pair: p, joined: joins(a, b), reverse: joins(b, a) };
  });

  it('is a realistic set: at least 200 distinct pairs, about half of them the same story', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(200);
    expect(new Set(pairs.map((p) => p.id)).size).toBe(pairs.length);
    const same = pairs.filter((p) => p.label === 'same').length;
    expect(same / pairs.length).toBeGreaterThan(0.4);
    expect(same / pairs.length).toBeLessThan(0.6);
    for (const p of pairs) {
      expect(['same', 'different']).toContain(p.label);
      expect(p.a.title.trim(), p.id).not.toBe('');
      expect(p.b.title.trim(), p.id).not.toBe('');
      expect(
        p.a.title === p.b.title && p.a.lead === p.b.lead,
        `${p.id} compares a headline with itself`,
      ).toBe(false);
    }
  });

  it('holds precision >= 99 % and recall >= 90 % (table printed)', () => {
    const total: Tally = { tp: 0, fp: 0, fn: 0, tn: 0 };
    const byCategory = new Map<string, Tally>();
    const wrong: string[] = [];
    for (const { pair, joined } of results) {
      const t = byCategory.get(pair.category) ?? { tp: 0, fp: 0, fn: 0, tn: 0 };
      const kind = pair.label === 'same' ? (joined ? 'tp' : 'fn') : joined ? 'fp' : 'tn';
      t[kind]++;
      total[kind]++;
      byCategory.set(pair.category, t);
      if (kind === 'fp' || kind === 'fn') {
        const why = compareHeadlines(headlineKey(pair.a.title), headlineKey(pair.b.title)).reason;
        wrong.push(
          `  ${kind.toUpperCase()} ${pair.id.padEnd(14)} ${pair.a.title} ⟷ ${pair.b.title}  (${why})`,
        );
      }
    }
    const header = `${'category'.padEnd(28)}${'pairs'.padStart(5)}${['TP', 'FP', 'FN', 'TN'].map((h) => h.padStart(4)).join('')}  ${'prec.'.padStart(6)}  ${'recall'.padStart(6)}`;
    const lines = [...byCategory].sort(([x], [y]) => x.localeCompare(y)).map(([c, t]) => row(c, t));
    console.log(
      [
        'Near-duplicate clustering on test/fixtures/near-duplicates/pairs.json',
        header,
        ...lines,
        row('overall', total),
        `misclassified (${wrong.length}):`,
        ...wrong,
      ].join('\n'),
    );
    expect(total.tp / (total.tp + total.fp)).toBeGreaterThanOrEqual(0.99);
    expect(total.tp / (total.tp + total.fn)).toBeGreaterThanOrEqual(0.9);
  });

  it('decides the same whichever of the two headlines arrives first', () => {
    const asymmetric = results.filter((r) => r.joined !== r.reverse).map((r) => r.pair.id);
    expect(asymmetric).toEqual([]);
  });
});
