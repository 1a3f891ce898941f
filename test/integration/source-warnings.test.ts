/**
 * An ill-formed or damaged document is stored as far as it can be read, and the operator sees
 * what was repaired: in the source's health (`sources list`) and in the ingest summary.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingest, sourcesList } from '../../src/cli/commands.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';
import { chineseFeed } from '../hostile/documents.ts';

let t: TestCore;
let site: NewsSite;

beforeAll(async () => {
  t = await createTestCore();
  site = await startNewsSite();
});

afterAll(async () => {
  await site?.close();
  await t?.cleanup();
});

/** What `fn` writes to stdout and stderr. */
async function output(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => lines.push(String(s)) > 0);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => lines.push(String(s)) > 0);
  try {
    await fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.join('');
}

describe('warnings for the operator', () => {
  it('stores a truncated UTF-8 feed readably, says so in sources list and the ingest summary, and clears it once clean', async () => {
    const full = Buffer.from(chineseFeed(12, 'warn'));
    const cut = Buffer.concat([
      full.subarray(0, Math.floor(full.length * 0.8)),
      Buffer.from([0xff, 0xfe, 0x00]),
    ]);
    let body = cut;
    site.route('/warn.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
    });
    const added = await t.core.sources.add(`${site.url}/warn.xml`);
    expect(added.firstIngest?.status).toBe('ok');
    expect(added.firstIngest?.warnings?.join(' ')).toMatch(
      /invalid UTF-8 byte sequences? (was|were) replaced/,
    );
    expect(added.firstIngest?.warnings?.join(' ')).toContain('not well-formed');

    const found = await t.core.headlines.query({ query: '丹麦', limit: 20 });
    expect(found.items.length).toBeGreaterThan(5);
    expect(found.items.every((h) => h.title.startsWith('美国批准丹麦格陵兰岛协议'))).toBe(true);

    const stored = await t.core.sources.get(added.source.id);
    expect(stored?.health.lastWarning).toMatch(/invalid UTF-8/);
    const listed = await output(() => sourcesList(t.core, {}));
    expect(listed).toMatch(/ok, last .*; warning: .*invalid UTF-8 byte sequence/);
    const json = await output(() => sourcesList(t.core, { json: true }));
    expect(JSON.parse(json)[0].health.lastWarning).toMatch(/invalid UTF-8/);

    const summary = await output(() => ingest(t.core, {}));
    expect(summary).toContain(`warning: ${added.source.id}: `);

    body = full;
    const clean = await t.core.ingest.fetchById(added.source.id);
    expect(clean.status).toBe('ok');
    expect(clean.warnings).toBeUndefined();
    expect((await t.core.sources.get(added.source.id))?.health.lastWarning).toBeNull();
  });
});
