import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { fixture, hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let t: TestCore;
let site: NewsSite;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin/newsrelay.js'), ...args],
      {
        cwd: root,
        timeout: 25_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...t.env, LOG_LEVEL: 'silent' },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function snapshot() {
  const sources = await t.core.sources.list();
  return {
    sources: sources.map((s) => `${s.id} ${s.url} ${s.health.failures} ${s.etag}`).sort(),
    articles: await t.stores.articles.count(),
  };
}

beforeAll(async () => {
  t = await createTestCore();
  site = await startNewsSite();
  dir = await mkdtemp(path.join(tmpdir(), 'newsrelay-cli-'));
  site.route('/big5.xml', { body: fixture('big5-hk.rss.xml'), contentType: 'application/rss+xml' });
  for (const name of ['one', 'two']) {
    site.route(`/${name}.xml`, {
      body: rss(`导入源${name}`, [
        { title: `导入测试${name}：新闻`, link: `https://opml.example.cn/${name}.htm`, pubDate: hoursAgo(1) },
      ]),
      contentType: 'application/rss+xml',
    });
  }
});

afterAll(async () => {
  await site?.close();
  await t?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('newsrelay CLI', () => {
  it('sources add --json prints the source as JSON on stdout', async () => {
    const r = await cli('sources', 'add', `${site.url}/big5.xml`, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      url: `${site.url}/big5.xml`,
      kind: 'rss',
      name: '華夏新聞網 港澳',
      existed: false,
    });
    expect(out.firstIngest).toMatchObject({ status: 'ok', new: 4 });
    expect(await t.stores.sources.getByUrl(`${site.url}/big5.xml`)).not.toBeNull();
    const again = await cli('sources', 'add', `${site.url}/big5.xml`, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: out.id, existed: true });
  });

  it('headlines --query 李家超参观 --json prints an array of {id,title,url,source,publishedAt}', async () => {
    const r = await cli('headlines', '--query', '李家超参观', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(Array.isArray(out)).toBe(true);
    expect(out).toHaveLength(1);
    const item = out[0]!;
    expect(item).toMatchObject({
      title: '李家超參觀香港抗戰及海防博物館',
      url: 'https://news.example.hk/gangao/3.htm',
      source: '華夏新聞網 港澳',
      publishedAt: '2025-08-30T02:30:00.000Z',
    });
    expect(typeof item.id).toBe('string');
  });

  it('ingest --json prints {sources,fetched,new,duplicates,failed}', async () => {
    const r = await cli('ingest', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['duplicates', 'failed', 'fetched', 'new', 'sources']);
    // The fake site has no validators for this feed: it is re-read, and every item was seen.
    expect(out).toEqual({ sources: 1, fetched: 4, new: 0, duplicates: 4, failed: 0 });
  });

  it.each([
    [['headlines', '--limit', '0']],
    [['headlines', '--limit', '0', '--json']],
    [['sources', 'add', 'not-a-url']],
    [['sources', 'add', 'not-a-url', '--json']],
    [['sources', 'import', 'missing.opml']],
  ])('%j exits non-zero with one sentence on stderr and changes nothing', async (args) => {
    const before = await snapshot();
    const r = await cli(...args);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^newsrelay: \S.{5,}$/);
    expect(lines[0]).not.toMatch(/\bat .*\.ts:\d+/);
    expect(await snapshot()).toEqual(before);
  });

  it('sources import <file.opml> then sources export round-trips the URLs', async () => {
    const urls = [`${site.url}/one.xml`, `${site.url}/two.xml`];
    const opml = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>订阅</title></head><body>
  <outline text="新闻">
    <outline type="rss" text="一号" xmlUrl="${urls[0]}"/>
    <outline type="rss" text="二号" xmlUrl="${urls[1]}"/>
  </outline>
</body></opml>`;
    const file = path.join(dir, 'feeds.opml');
    await writeFile(file, opml);
    const imp = await cli('sources', 'import', file, '--json');
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ feeds: 2, added: 2, existed: 0, failed: 0 });
    expect((await t.stores.sources.getByUrl(urls[0]!))?.name).toBe('一号');

    const exp = await cli('sources', 'export');
    expect(exp.code).toBe(0);
    expect(exp.stdout).toMatch(/^<\?xml/);
    const exported = [...exp.stdout.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(exported.sort()).toEqual([`${site.url}/big5.xml`, ...urls].sort());

    // Exporting and importing again adds nothing.
    const round = path.join(dir, 'export.opml');
    await writeFile(round, exp.stdout);
    const again = await cli('sources', 'import', round, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ feeds: 3, added: 0, existed: 3, failed: 0 });
  });

  it('sources public <id|url> on|off lists a chat-added source in every chat’s /sources, or not', async () => {
    site.route('/private.xml', {
      body: rss('私家', [{ title: '私家：新闻', link: 'https://p.example.cn/1.htm', pubDate: hoursAgo(1) }]),
      contentType: 'application/rss+xml',
    });
    const { source } = await t.core.sources.add(`${site.url}/private.xml`, { owner: 'telegram:1' });
    expect((await t.core.sources.get(source.id))?.public).toBe(false);
    const on = await cli('sources', 'public', source.id, 'on');
    expect(on.code).toBe(0);
    expect(on.stderr).toContain('is public');
    expect((await t.core.sources.get(source.id))?.public).toBe(true);
    const off = await cli('sources', 'public', `${site.url}/private.xml`, 'off');
    expect(off.code).toBe(0);
    expect((await t.core.sources.get(source.id))?.public).toBe(false);
    const bad = await cli('sources', 'public', source.id, 'maybe');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('on or off');
    expect((await cli('sources', 'public', 'no-such-source', 'on')).code).not.toBe(0);
  });
});

describe('newsrelay sources region', () => {
  it('shows the guessed region, sets one, refuses an unknown one, and goes back to guessing with auto', async () => {
    const url = `${site.url}/one.xml`;
    if (!(await t.core.sources.find(url))) await t.core.sources.add(url);
    const shown = await cli('sources', 'region', url, '--json');
    expect(shown.code).toBe(0);
    // The fake site is 127.0.0.1: overseas, guessed.
    expect(JSON.parse(shown.stdout)).toMatchObject({ region: 'overseas', how: 'guessed' });
    const set = await cli('sources', 'region', url, 'hk');
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(/: hk \(set\)$/m);
    expect((await t.core.sources.find(url))?.region).toBe('hk');
    const bad = await cli('sources', 'region', url, 'mars');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('mainland, hk, tw, overseas');
    expect((await t.core.sources.find(url))?.region).toBe('hk');
    const unknown = await cli('sources', 'region', 'no-such-source', 'tw');
    expect(unknown.code).not.toBe(0);
    const auto = await cli('sources', 'region', url, 'auto', '--json');
    expect(JSON.parse(auto.stdout)).toMatchObject({ region: 'overseas', how: 'guessed' });
    expect((await t.core.sources.find(url))?.region).toBeNull();
  });
});
