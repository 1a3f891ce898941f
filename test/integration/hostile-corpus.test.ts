/**
 * The hostile corpus (test/hostile/) through the path of `sources add` (SourceService.add, which
 * /subscribe and /feed add use) and of a poll (IngestService.fetchSource), on the real FerretDB,
 * against a local fake site. Prints a table: inputs tried, refused (with the reason per class),
 * accepted, crashes, the largest resident memory and the longest event-loop stall. Asserts
 * no crash, that every refusal is a known code with a one-sentence reason in each language,
 * the expected outcome where a case has one, and that titles stored from correctly or
 * detectably declared documents are exact. Timings are printed, never asserted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/domain/types.ts';
import { type ErrorCode, NewsrelayError } from '../../src/errors.ts';
import { hasKey, LOCALES, t as translate } from '../../src/i18n/i18n.ts';
import { MAX_IMAGE_URL_CHARS } from '../../src/ingest/lead-image.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';
import { buildCorpus, type CaseKind, type HostileCase } from '../hostile/corpus.ts';

/** Cases run at once; a handful keeps FerretDB and the two cores of this machine busy, not flooded. */
const CONCURRENCY = 6;
/** Characters a stored title must never contain. */
const UNSAFE = /[\p{Cc}\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/u;

type Verdict = 'accepted' | ErrorCode | 'crash';

interface Result {
  kase: HostileCase;
  add: Verdict;
  polls: Array<'ok' | 'not_modified' | ErrorCode | 'crash'>;
  warnings: string[];
  problems: string[];
  ms: number;
}

let t: TestCore;
let server: ChildProcess | undefined;
let siteUrl = '';
// Built here only for the cases' expectations; the child process serves its own copy.
const corpus = buildCorpus();
const results: Result[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);
let peakRss = 0;
let baselineRss = 0;
let maxStallMs = 0;
let idleStallMs = 0;
let elapsedMs = 0;

/** Starts test/hostile/corpus-server.ts and returns its URL. */
async function startCorpusServer(): Promise<string> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  server = spawn(process.execPath, ['--import', 'tsx', 'test/hostile/corpus-server.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of server.stdout!) {
    out += String(chunk);
    if (out.includes('\n')) break;
  }
  const url = out.trim();
  if (!url.startsWith('http://')) throw new Error(`corpus server did not start: ${url}`);
  return url;
}

async function runCase(c: HostileCase): Promise<Result> {
  const result: Result = { kase: c, add: 'crash', polls: [], warnings: [], problems: [], ms: 0 };
  const started = performance.now();
  try {
    const added = await t.core.sources.add(`${siteUrl}/${c.name}`);
    result.add = 'accepted';
    result.warnings.push(...(added.firstIngest?.warnings ?? []));
    if (added.firstIngest?.status === 'failed')
      result.problems.push(`first ingest failed: ${added.firstIngest.error}`);
    const id = added.source.id;
    const stored = (await t.core.headlines.query({ source: id, limit: 100 })).items;
    const titles = stored.map((h) => h.title);
    result.problems.push(...mediaProblems(c, await t.stores.articles.getMany(stored.map((h) => h.id))));
    if (c.title !== undefined && !titles.includes(c.title)) {
      result.problems.push(
        `title ${JSON.stringify(c.title)} not stored; got ${JSON.stringify(titles.slice(0, 3))}`,
      );
    }
    if (c.title?.includes('丹麦')) {
      const found = await t.core.headlines.query({ source: id, query: '丹麦', limit: 5 });
      if (found.items.length === 0) result.problems.push('search for 丹麦 finds nothing');
    }
    for (const title of titles)
      if (UNSAFE.test(title)) result.problems.push(`unsafe title ${JSON.stringify(title)}`);
    for (let p = 0; p < (c.polls ?? 1); p++) {
      const outcome = await t.core.ingest.fetchById(id);
      result.warnings.push(...(outcome.warnings ?? []));
      if (outcome.status === 'failed') {
        const code = outcome.errorCode;
        if (code === undefined || code === 'internal') {
          result.polls.push('crash');
          result.problems.push(`poll ${p + 1} crashed: ${outcome.error}`);
        } else result.polls.push(code);
        if (/\n\s+at /.test(outcome.error ?? '')) result.problems.push('a stack trace in the stored reason');
      } else result.polls.push(outcome.status === 'not_modified' ? 'not_modified' : 'ok');
    }
  } catch (err) {
    if (err instanceof NewsrelayError) result.add = err.code;
    else
      result.problems.push(`add crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  result.ms = performance.now() - started;
  const expected = c.expect;
  if (expected === 'accept' && result.add !== 'accepted')
    result.problems.push(`expected accepted, got ${result.add}`);
  if (typeof expected === 'object' && result.add !== expected.refuse)
    result.problems.push(`expected refusal ${expected.refuse}, got ${result.add}`);
  return result;
}

/** A stored lead image must be a short absolute http(s) URL; summaries stay bounded, on one line. */
const SAFE_IMAGE = /^https?:\/\/[^\s\u0000-\u001f]{1,1000}$/;

function mediaProblems(c: HostileCase, articles: Article[]): string[] {
  const problems: string[] = [];
  for (const a of articles) {
    if (a.imageUrl != null && (!SAFE_IMAGE.test(a.imageUrl) || a.imageUrl.length > MAX_IMAGE_URL_CHARS))
      problems.push(`unsafe image ${JSON.stringify(a.imageUrl.slice(0, 80))}`);
    if ([...a.summary].length > 600 || /[\r\n\t]/.test(a.summary))
      problems.push(`summary of ${a.summary.length} characters or not on one line`);
  }
  if (c.image !== undefined) {
    const a = articles.find((x) => c.title === undefined || x.title === c.title);
    if ((a?.imageUrl ?? null) !== c.image)
      problems.push(
        `image ${JSON.stringify(a?.imageUrl?.slice(0, 80))}, expected ${JSON.stringify(c.image)}`,
      );
  }
  return problems;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function table(): string {
  const kinds = [...new Set(corpus.map((c) => c.kind))] as CaseKind[];
  const lines = ['class        inputs  accepted  refused  crashes  refusal reasons (add; polls)'];
  const row = (name: string, rs: Result[]): string => {
    const reasons = new Map<string, number>();
    for (const r of rs) {
      if (r.add !== 'accepted' && r.add !== 'crash') reasons.set(r.add, (reasons.get(r.add) ?? 0) + 1);
      for (const p of r.polls)
        if (p !== 'ok' && p !== 'not_modified' && p !== 'crash')
          reasons.set(`poll:${p}`, (reasons.get(`poll:${p}`) ?? 0) + 1);
    }
    const accepted = rs.filter((r) => r.add === 'accepted').length;
    const crashes = rs.filter((r) => r.add === 'crash' || r.polls.includes('crash')).length;
    const shown = [...reasons].map(([k, n]) => `${k} ${n}`).join(', ');
    return `${name.padEnd(12)} ${String(rs.length).padStart(6)} ${String(accepted).padStart(9)} ${String(rs.length - accepted - crashes).padStart(8)} ${String(crashes).padStart(8)}  ${shown}`;
  };
  for (const k of kinds)
    lines.push(
      row(
        k,
        results.filter((r) => r.kase.kind === k),
      ),
    );
  lines.push(row('total', results));
  const polls = results.reduce((n, r) => n + r.polls.length, 0);
  const warned = results.filter((r) => r.warnings.length > 0).length;
  lines.push(
    '',
    `inputs tried: ${results.length} documents and servers, ${results.length + polls} fetches (add + ${polls} polls) in ${(elapsedMs / 1000).toFixed(1)} s`,
    `accepted with a warning for the operator: ${warned}`,
    `largest resident memory: ${mb(peakRss)} (the service's process, parse workers included; ${mb(baselineRss)} before the corpus, which another process serves)`,
    `longest event-loop stall on the main thread: ${maxStallMs.toFixed(0)} ms (idle, before the corpus: ${idleStallMs.toFixed(0)} ms)`,
    `slowest cases: ${[...results]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((r) => `${r.kase.name} ${(r.ms / 1000).toFixed(1)} s`)
      .join(', ')}`,
  );
  return lines.join('\n');
}

beforeAll(async () => {
  // Every case is served by one host: with the default two fetches per host, a case queued behind
  // two slow ones (each up to the timeout) waited out its own timeout there, and CI saw a hang-up
  // and a gzip bomb refused as fetch_timeout. The per-host queue has its own tests.
  t = await createTestCore({ FETCH_TIMEOUT: '4s', FETCH_PER_HOST_CONCURRENCY: String(CONCURRENCY) });
  siteUrl = await startCorpusServer();
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  baselineRss = process.memoryUsage.rss();
  // The floor: what the event loop sees doing nothing, on a machine other processes share.
  const idle = monitorEventLoopDelay({ resolution: 10 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  idle.disable();
  idleStallMs = idle.max / 1e6;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 25);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < corpus.length) {
        const c = corpus[next++]!;
        results.push(await runCase(c));
      }
    }),
  );
  elapsedMs = performance.now() - started;
  clearInterval(sampler);
  loop.disable();
  maxStallMs = loop.max / 1e6;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 300_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  await t?.cleanup();
});

describe('hostile corpus through sources add and polls', () => {
  it('has at least 200 documents and servers', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
  });

  it('prints the table and never crashes', () => {
    console.log(`hostile corpus\n${table()}`);
    const crashes = results.flatMap((r) =>
      r.problems.filter((p) => p.includes('crashed')).map((p) => `${r.kase.name}: ${p}`),
    );
    expect(crashes).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('refuses only with known codes whose reason is one sentence in each language', () => {
    const codes = new Set<string>();
    for (const r of results) {
      if (r.add !== 'accepted' && r.add !== 'crash') codes.add(r.add);
      for (const p of r.polls) if (p !== 'ok' && p !== 'not_modified' && p !== 'crash') codes.add(p);
    }
    expect(codes.size).toBeGreaterThan(5);
    for (const code of codes) {
      const key = `error.${code}`;
      expect(hasKey(key), key).toBe(true);
      if (!hasKey(key)) continue;
      for (const locale of LOCALES) {
        const sentence = translate(locale, key);
        expect(sentence, `${locale} ${key}`).not.toMatch(/\n|\bat .*:\d+|Error:/);
        expect(
          sentence.split(/[。.！!？?]\s*/).filter(Boolean),
          `${locale} ${key}: ${sentence}`,
        ).toHaveLength(1);
      }
    }
  });

  it('gets every case its expected outcome and stores titles exactly', () => {
    const problems = results.flatMap((r) => r.problems.map((p) => `${r.kase.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('tells the operator what it repaired or left out', () => {
    const warningsOf = (name: string) => results.find((r) => r.kase.name === name)?.warnings ?? [];
    expect(warningsOf('size-5k-items').join(' ')).toContain('only the newest 1000 of 5000 items were kept');
    expect(warningsOf('truncated-20').join(' ')).toMatch(/invalid UTF-8 byte sequences? (was|were) replaced/);
    expect(warningsOf('text-cdata-tricks').join(' ')).toContain('not well-formed');
    expect(warningsOf('size-title-9mb').join(' ')).toContain('cut');
  });
});
