import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NewsrelayError } from '../../src/errors.ts';
import type { DocumentJob } from '../../src/ingest/document-job.ts';
import { ParsePool } from '../../src/ingest/parse-pool.ts';
import {
  PARSE_WORKER_CACHE,
  parseWorkerModule,
  TSX_PARSE_WORKER,
} from '../../src/ingest/parse-worker-module.ts';

const pools: ParsePool[] = [];
function pool(opts: ConstructorParameters<typeof ParsePool>[0]): ParsePool {
  const p = new ParsePool(opts);
  pools.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

function job(xml: string): DocumentJob {
  return {
    body: Buffer.from(xml),
    contentType: 'application/rss+xml',
    url: 'https://news.example.cn/rss.xml',
    sourceId: 'src1',
    now: Date.parse('2026-12-03T08:00:00Z'),
  };
}

function rss(items: number): string {
  const body = Array.from(
    { length: items },
    (_, i) =>
      `<item><title>第${i}条：李家超参观香港抗战及海防博物馆</title><link>https://news.example.cn/a/${i}</link><pubDate>${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}</pubDate><description>${'内容'.repeat(20)}</description></item>`,
  ).join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>新闻</title>${body}</channel></rss>`;
}

async function refusal(p: Promise<unknown>): Promise<NewsrelayError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NewsrelayError);
  return err as NewsrelayError;
}

describe('ParsePool', () => {
  it('reads a feed in a worker and builds its articles, keeping the newest 1,000 of more', async () => {
    const p = pool({ threads: 1 });
    const read = await p.read(job(rss(1500)));
    expect(read.type).toBe('feed');
    if (read.type !== 'feed') return;
    expect(read.feed.kind).toBe('rss');
    expect(read.feed.articles).toHaveLength(1000);
    expect(read.feed.notes).toMatchObject({ entries: 1500, kept: 1000, bozo: false });
    // The newest are kept: items 500..1499 (pubDate grows with the index).
    expect(read.feed.articles[0]?.article.title).toBe('第500条：李家超参观香港抗战及海防博物馆');
    expect(read.feed.articles[0]?.article.publishedAt).toBeInstanceOf(Date);
  });

  it('refuses the entity bomb that aborted Node (4.6 GB), and keeps working', async () => {
    const p = pool({ threads: 1 });
    const bomb = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${'中'.repeat(1000)}">]><rss><channel><item><title>${'&a;'.repeat(200_000)}</title><link>https://x.cn/1</link></item></channel></rss>`;
    expect((await refusal(p.read(job(bomb)))).code).toBe('entity_expansion');
    expect((await p.read(job(rss(3)))).type).toBe('feed');
  });

  it('gives up a document over the heap limit with parse_memory; the next read gets a fresh worker', async () => {
    const p = pool({ threads: 1, heapMb: 48, timeoutMs: 60_000 });
    const err = await refusal(p.read(job(rss(60_000))));
    expect(err.code).toBe('parse_memory');
    expect(p.stats.outOfMemory).toBe(1);
    expect((await p.read(job(rss(3)))).type).toBe('feed');
  }, 60_000);

  it('gives up a document over the time limit with parse_timeout; the next read still works', async () => {
    const p = pool({ threads: 1, timeoutMs: 150 });
    const err = await refusal(p.read(job(rss(40_000))));
    expect(err.code).toBe('parse_timeout');
    expect(p.stats.timedOut).toBe(1);
    expect((await p.read(job(rss(2)))).type).toBe('feed');
  }, 60_000);

  it('answers concurrent reads each with its own document, and refuses reads after close', async () => {
    const p = pool({ threads: 2 });
    const reads = await Promise.all(Array.from({ length: 6 }, (_, i) => p.read(job(rss(10 + i)))));
    expect(reads.map((r) => (r.type === 'feed' ? r.feed.articles.length : -1))).toEqual([
      10, 11, 12, 13, 14, 15,
    ]);
    await p.close();
    expect((await refusal(p.read(job(rss(1))))).code).toBe('parse_failed');
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('parse worker module', () => {
  it('threads load one built JavaScript module, without tsx, and read with it', async () => {
    // Inside the installation's node_modules, where the module's package imports resolve.
    mkdirSync(PARSE_WORKER_CACHE, { recursive: true });
    const dir = mkdtempSync(path.join(PARSE_WORKER_CACHE, 'test-'));
    dirs.push(dir);
    const module = await parseWorkerModule(dir);
    expect(module.kind).toBe('built');
    expect(readdirSync(dir)).toEqual([path.basename(fileURLToPath(module.url))]);
    const code = readFileSync(fileURLToPath(module.url), 'utf8');
    expect(code).not.toMatch(/from ["']tsx/);
    // Packages stay imports, resolved in the installation's node_modules.
    expect(code).toMatch(/from ["']opencc-js\//);
    // Asked again in the same process: the same module, not a second build.
    expect(await parseWorkerModule(dir)).toBe(module);

    let fellBack = '';
    const p = pool({ threads: 1, workerModule: async () => module, onModuleFallback: (r) => (fellBack = r) });
    const read = await p.read(job(rss(3)));
    expect(read.type === 'feed' && read.feed.articles.map((a) => a.article.title)).toHaveLength(3);
    expect(await p.module()).toBe(module);
    expect(fellBack).toBe('');
  });

  it('where the module cannot be written, threads load the TypeScript entry and say why', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'parse-module-')), 'not-a-directory');
    writeFileSync(file, '');
    const module = await parseWorkerModule(path.join(file, 'cache'));
    expect(module).toMatchObject({ kind: 'tsx', url: TSX_PARSE_WORKER });
    expect(module.reason).toMatch(/ENOTDIR/);

    const reasons: string[] = [];
    const p = pool({
      threads: 1,
      workerModule: async () => module,
      onModuleFallback: (r) => reasons.push(r),
    });
    const read = await p.read(job(rss(2)));
    expect(read.type === 'feed' && read.feed.articles).toHaveLength(2);
    expect(reasons).toEqual([module.reason]);
  });
});
