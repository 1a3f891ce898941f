import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, type NewsrelayError } from '../../src/errors.ts';
import type { SourceWithSeen } from '../../src/store/source-store.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { fixture, hoursAgo, rss } from '../helpers/feeds.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

const run = promisify(execFile);
const httpFetchModule = fileURLToPath(new URL('../../src/ingest/http-fetch.ts', import.meta.url));
const MAX_FAILURES = 3;
const MAX_BYTES = 20_000;
let t: TestCore;
let site: NewsSite;
const disabled: Array<{ id: string; reason: string }> = [];

beforeAll(async () => {
  t = await createTestCore(
    { SOURCE_MAX_FAILURES: String(MAX_FAILURES), FETCH_MAX_BYTES: String(MAX_BYTES) },
    {
      onSourceDisabled: (s, reason) => {
        disabled.push({ id: s.id, reason });
      },
    },
  );
  site = await startNewsSite();
});

afterAll(async () => {
  await site?.close();
  await t?.cleanup();
});

const okFeed = (name: string) =>
  rss(name, [
    {
      title: `${name}：今日要闻一则`,
      link: `https://ok.example.cn/${encodeURIComponent(name)}.htm`,
      pubDate: hoursAgo(1),
    },
  ]);

async function get(id: string): Promise<SourceWithSeen> {
  const s = await t.stores.sources.get(id);
  if (!s) throw new Error(`source ${id} vanished`);
  return s;
}

describe('failure and backoff', () => {
  it('backs off exponentially on 500s, records the error, and disables after SOURCE_MAX_FAILURES', async () => {
    site.route('/flaky.xml', { body: okFeed('时好时坏'), contentType: 'application/rss+xml' });
    const { source } = await t.core.sources.add(`${site.url}/flaky.xml`);
    site.route('/flaky.xml', { status: 500, body: 'Internal Server Error', contentType: 'text/plain' });
    const interval = source.intervalSec * 1000;
    const delays: number[] = [];
    let now = Date.now();
    for (let i = 1; i <= MAX_FAILURES; i++) {
      const outcome = await t.core.ingest.fetchSource(await get(source.id), new Date(now));
      expect(outcome.status).toBe('failed');
      const s = await get(source.id);
      expect(s.health.failures).toBe(i);
      expect(s.health.lastError).toMatch(/500/);
      delays.push(s.nextFetchAt.getTime() - now);
      if (i < MAX_FAILURES) {
        expect(s.health.disabledAt).toBeNull();
        expect(disabled).toHaveLength(0);
      }
      now = s.nextFetchAt.getTime();
    }
    expect(delays[0]).toBeGreaterThan(interval);
    expect(delays[1]).toBe(delays[0]! * 2);
    expect(delays[2]).toBe(delays[1]! * 2);

    const s = await get(source.id);
    expect(s.health.disabledAt).toBeInstanceOf(Date);
    expect(s.health.disabledReason).toMatch(/500/);
    expect(disabled).toEqual([{ id: source.id, reason: s.health.disabledReason }]);

    // A disabled source is not fetched before its re-probe time, even when it works again.
    site.route('/flaky.xml', { body: okFeed('时好时坏'), contentType: 'application/rss+xml' });
    const requests = site.requests.length;
    const outcome = await t.core.ingest.fetchSource(s);
    expect(outcome.status).toBe('disabled');
    expect(site.requests.length).toBe(requests);
  });

  it('clears the failure count after a success', async () => {
    site.route('/blip.xml', { body: okFeed('偶尔出错'), contentType: 'application/rss+xml' });
    const { source } = await t.core.sources.add(`${site.url}/blip.xml`);
    site.route('/blip.xml', { status: 503, body: 'busy' });
    await t.core.ingest.fetchSource(await get(source.id));
    expect((await get(source.id)).health.failures).toBe(1);
    site.route('/blip.xml', { body: okFeed('偶尔出错'), contentType: 'application/rss+xml' });
    const outcome = await t.core.ingest.fetchSource(await get(source.id));
    expect(outcome.status).toBe('ok');
    const s = await get(source.id);
    expect(s.health.failures).toBe(0);
    expect(s.health.lastError).toBeNull();
    expect(s.nextFetchAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('recovers a broken-XML feed leniently, without counting a failure', async () => {
    site.route('/broken.xml', {
      body: fixture('broken.rss.xml'),
      contentType: 'application/rss+xml; charset=utf-8',
    });
    const added = await t.core.sources.add(`${site.url}/broken.xml`);
    expect(added.firstIngest).toMatchObject({ status: 'ok', fetched: 2, new: 2 });
    expect(added.source.name).toBe('港澳新聞 — 華夏新聞網');
    const s = await get(added.source.id);
    expect(s.health.failures).toBe(0);
    expect(s.health.lastError).toBeNull();
    const page = await t.core.headlines.query({ source: added.source.id });
    expect(page.items.map((h) => h.title).sort()).toEqual([
      '丘應樺明訪新加坡 促進兩地更緊密聯繫',
      '李家超參觀香港抗戰及海防博物館',
    ]);
  });

  it('fails a body over FETCH_MAX_BYTES with too_large (also when it only grows on decompression)', async () => {
    const big = rss('巨大的源', [
      { title: '很长的新闻', link: 'https://big.example.cn/1.htm', description: '长'.repeat(MAX_BYTES) },
    ]);
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_BYTES);
    site.route('/big.xml', { body: big, contentType: 'application/rss+xml' });
    site.route('/bomb.xml', { body: big, contentType: 'application/rss+xml', gzip: true });
    for (const path of ['/big.xml', '/bomb.xml']) {
      const err = await t.fetcher.fetch(`${site.url}${path}`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, path).toBeInstanceOf(FetchError);
      expect((err as FetchError).code).toBe('too_large');
    }
    const sources = (await t.core.sources.list()).length;
    const refused = await t.core.sources.add(`${site.url}/big.xml`).then(
      () => null,
      (e: unknown) => e,
    );
    expect((refused as NewsrelayError | null)?.code).toBe('too_large');
    expect((await t.core.sources.list()).length).toBe(sources);

    // A known source that starts serving too much fails (and backs off) like any other failure.
    site.route('/grows.xml', { body: okFeed('越来越大'), contentType: 'application/rss+xml' });
    const { source } = await t.core.sources.add(`${site.url}/grows.xml`);
    site.route('/grows.xml', { body: big, contentType: 'application/rss+xml' });
    const outcome = await t.core.ingest.fetchSource(await get(source.id));
    expect(outcome.status).toBe('failed');
    const s = await get(source.id);
    expect(s.health.failures).toBe(1);
    expect(s.health.lastError).toBe(outcome.error);
    expect(s.nextFetchAt.getTime()).toBeGreaterThan(Date.now() + source.intervalSec * 1000);
  });

  it('refuses an oversized Content-Length without an uncaught error that would kill the process', async () => {
    site.route('/declared-big.xml', { body: 'x'.repeat(MAX_BYTES * 2), contentType: 'application/rss+xml' });
    const script = `
      import { createHttpFetcher } from ${JSON.stringify(httpFetchModule)};
      const f = createHttpFetcher({ allowPrivateNetwork: true, maxBytes: ${MAX_BYTES} });
      const code = await f.fetch(${JSON.stringify(`${site.url}/declared-big.xml`)}).then(() => 'ok', (e) => e.code);
      await new Promise((r) => setTimeout(r, 200));
      await f.close();
      process.stdout.write(code);
    `;
    const child = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 20_000,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      }),
    );
    expect(child.stderr).not.toMatch(/AbortError|Request aborted/);
    expect(child.code).toBe(0);
    expect(child.stdout).toBe('too_large');
  });
});
