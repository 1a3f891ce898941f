/**
 * Runs decodeDocument + parseFeed over the Universal Feed Parser conformance corpus
 * (test/conformance/feedparser/, copied with its BSD licence; origin in its README) and asserts
 * pass rates. A missing corpus fails the suite: it must travel with every clone.
 *
 * Rules: HTTP tests give `Content-Type` to the decoder and a base URL (Content-Location
 * resolved against `url` when that yields http(s), else `url`). `html: true` assertions also
 * pass when both sides are equal text-only (tags stripped, entities decoded, whitespace
 * collapsed, trimmed); titles, plain text by contract, are compared as they are with the
 * expectation's text-only form. A `noCrash` test passes when parseFeed returns, or throws our own
 * NewsrelayError (a typed `not_a_feed` is the intended answer to an empty document); any other
 * exception fails it. `encoding` is compared with DecodedDocument.encoding modulo case,
 * `_`/`-`, Python's names for supersets (gb2312 → gb18030, tis-620 → windows-874) and the
 * WHATWG rule that the ASCII and Latin-1 labels decode as windows-1252.
 * Tests in deviations.ts are run and reported apart, not counted.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeHTML } from 'entities';
import { describe, expect, it } from 'vitest';
import { NewsrelayError } from '../../src/errors.ts';
import { decodeDocument } from '../../src/ingest/decode.ts';
import { parseFeed } from '../../src/ingest/feed-parser.ts';
import type { DecodedDocument, ParsedFeed } from '../../src/ingest/parsed-feed.ts';
import { DEVIATIONS } from './deviations.ts';

interface Assertion {
  path: string;
  op: 'equals' | 'contains' | 'exists' | 'notExists';
  value?: unknown;
  html?: boolean;
}

interface ConformanceTest {
  file: string;
  category: string;
  headers: Record<string, string> | null;
  url: string | null;
  kind: 'values' | 'noCrash';
  assertions: Assertion[];
}

type Outcome = 'pass' | 'fail' | 'deviation-pass' | 'deviation-fail';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'feedparser');
const present = existsSync(path.join(corpus, 'manifest.json'));
const deviations = new Map(DEVIATIONS.map((d) => [d.file, d.reason]));

function baseUrlOf(t: ConformanceTest): string | null {
  if (!t.url) return null;
  const cl = t.headers?.['Content-Location'];
  if (!cl) return t.url;
  try {
    const u = new URL(cl, t.url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : t.url;
  } catch {
    return t.url;
  }
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function valueAt(feed: ParsedFeed, doc: DecodedDocument, p: string): unknown {
  if (p === 'encoding') return doc.encoding;
  if (p === 'feed.title') return feed.title;
  if (p === 'feed.link') return feed.link;
  const m = /^entries\[(\d+)\]\.(\w+)(?:\[(\d+)\](?:\.(\w+))?)?$/.exec(p);
  if (!m) throw new Error(`unknown assertion path ${p}`);
  const entry = feed.entries[Number(m[1])];
  if (!entry) return undefined;
  const field = m[2]!;
  if (field === 'thumbnails') return entry.thumbnails[Number(m[3])];
  if (field === 'enclosures') {
    const enc = entry.enclosures[Number(m[3])];
    return enc ? enc[m[4] as 'url' | 'type' | 'length'] : undefined;
  }
  const v = (entry as unknown as Record<string, unknown>)[field];
  return v instanceof Date ? isoSeconds(v) : v;
}

function textOnly(s: string): string {
  return decodeHTML(s.replace(/<[^<>]*>/g, ''))
    .replace(/[ \t\r\n]+/g, ' ')
    .trim();
}

const ENCODING_EQUIV: Record<string, string> = {
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'tis-620': 'windows-874',
};

function canonicalEncoding(name: string): string {
  const n = name.toLowerCase().replace(/_/g, '-');
  return ENCODING_EQUIV[n] ?? n;
}

/** Whether the assertion holds exactly, only text-only (html leniency), or not at all. */
function holds(a: Assertion, actual: unknown): 'exact' | 'text' | false {
  const present = actual !== null && actual !== undefined;
  if (a.op === 'notExists') return present ? false : 'exact';
  if (a.op === 'exists') return present ? 'exact' : false;
  if (typeof actual !== 'string' || typeof a.value !== 'string') return false;
  if (a.path === 'encoding')
    return canonicalEncoding(actual) === canonicalEncoding(a.value) ? 'exact' : false;
  if (a.op === 'contains') {
    if (actual.includes(a.value)) return 'exact';
    return a.html && textOnly(actual).includes(textOnly(a.value)) ? 'text' : false;
  }
  if (actual === a.value) return 'exact';
  if (!a.html) return false;
  // Titles are plain text by contract: compare them with the expectation's text-only form as they are.
  if (a.path.endsWith('.title') && actual.trim() === textOnly(a.value)) return 'text';
  return textOnly(actual) === textOnly(a.value) ? 'text' : false;
}

function run(t: ConformanceTest): { ok: boolean; exact: boolean; detail: string } {
  const bytes = readFileSync(path.join(corpus, 'feeds', t.file));
  const doc = decodeDocument(bytes, { contentType: t.headers?.['Content-Type'] ?? null });
  let feed: ParsedFeed;
  try {
    feed = parseFeed(doc.text, { baseUrl: baseUrlOf(t) });
  } catch (err) {
    const ours = err instanceof NewsrelayError;
    if (t.kind === 'noCrash' && ours) return { ok: true, exact: true, detail: '' };
    // Only the encoding can still be checked when the document is not a feed.
    if (ours && t.assertions.every((a) => a.path === 'encoding')) {
      const ok = t.assertions.every((a) => holds(a, doc.encoding) !== false);
      return { ok, exact: ok, detail: ok ? '' : `encoding ${doc.encoding}` };
    }
    return { ok: false, exact: false, detail: `threw ${String(err)}` };
  }
  let exact = true;
  for (const a of t.assertions) {
    const actual = valueAt(feed, doc, a.path);
    const verdict = holds(a, actual);
    if (verdict === false) {
      return {
        ok: false,
        exact: false,
        detail: `${a.path} ${a.op} ${JSON.stringify(a.value)}, got ${JSON.stringify(actual)}`,
      };
    }
    if (verdict === 'text') exact = false;
  }
  return { ok: true, exact, detail: '' };
}

const tests: ConformanceTest[] = present
  ? (JSON.parse(readFileSync(path.join(corpus, 'manifest.json'), 'utf8')) as ConformanceTest[])
  : [];
const categories = [...new Set(tests.map((t) => t.category))].sort();

interface CategoryResult {
  pass: number;
  /** Passes that needed no text-only leniency. */
  exact: number;
  fail: number;
  deviation: number;
  failures: string[];
}

const results = new Map<string, CategoryResult>();
const deviationReport: string[] = [];
let elapsedMs = 0;
if (present) {
  const started = performance.now();
  for (const t of tests) {
    let r = results.get(t.category);
    if (!r) {
      r = { pass: 0, exact: 0, fail: 0, deviation: 0, failures: [] };
      results.set(t.category, r);
    }
    let outcome: Outcome;
    let detail: string;
    let exact = false;
    try {
      const res = run(t);
      detail = res.detail;
      exact = res.exact;
      outcome = deviations.has(t.file)
        ? res.ok
          ? 'deviation-pass'
          : 'deviation-fail'
        : res.ok
          ? 'pass'
          : 'fail';
    } catch (err) {
      detail = `harness error ${String(err)}`;
      outcome = deviations.has(t.file) ? 'deviation-fail' : 'fail';
    }
    if (outcome === 'pass') {
      r.pass++;
      if (exact) r.exact++;
    } else if (outcome === 'fail') {
      r.fail++;
      r.failures.push(`${t.file}: ${detail}`);
    } else {
      r.deviation++;
      deviationReport.push(
        `${t.file} (${outcome === 'deviation-pass' ? 'passes anyway' : detail}): ${deviations.get(t.file)}`,
      );
    }
  }
  elapsedMs = performance.now() - started;
}

function rate(r: { pass: number; fail: number }): number {
  return r.pass + r.fail === 0 ? 1 : r.pass / (r.pass + r.fail);
}

describe('feedparser conformance corpus', () => {
  it('is in the repository', () => {
    expect(present, `corpus not found at ${corpus}`).toBe(true);
  });

  it.each(categories)('category %s passes ≥ 90%', (category) => {
    const r = results.get(category)!;
    expect(rate(r), `failures in ${category}:\n${r.failures.join('\n')}`).toBeGreaterThanOrEqual(0.9);
  });

  it('passes ≥ 95% overall and prints the table', () => {
    const total = { pass: 0, exact: 0, fail: 0, deviation: 0 };
    const row = (name: string, r: typeof total): string =>
      `${name.padEnd(26)} ${String(r.pass).padStart(5)} ${String(r.exact).padStart(6)} ${String(r.fail).padStart(5)} ${String(r.deviation).padStart(4)}  ${(rate(r) * 100).toFixed(1)}%`;
    const rows = ['category                    pass  exact  fail  dev   rate'];
    for (const c of categories) {
      const r = results.get(c)!;
      total.pass += r.pass;
      total.exact += r.exact;
      total.fail += r.fail;
      total.deviation += r.deviation;
      rows.push(row(c, r));
    }
    rows.push(row('total', total));
    const failures = [...results.values()].flatMap((r) => r.failures);
    console.log(
      `feedparser conformance (${tests.length} tests, ${elapsedMs.toFixed(0)} ms)\n${rows.join('\n')}\n\n` +
        `deliberate deviations (not counted):\n${deviationReport.join('\n')}\n\nfailures:\n${failures.join('\n') || '(none)'}`,
    );
    expect(rate(total)).toBeGreaterThanOrEqual(0.95);
  });
});
