import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/errors.ts';
import { createHttpFetcher, type HttpFetcher } from '../../src/ingest/http-fetch.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';

async function fetchError(promise: Promise<unknown>): Promise<FetchError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error('expected the fetch to fail');
}

let site: NewsSite;
const fetchers: HttpFetcher[] = [];

function fetcher(opts: Partial<Parameters<typeof createHttpFetcher>[0]> = {}): HttpFetcher {
  const f = createHttpFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000, ...opts });
  fetchers.push(f);
  return f;
}

beforeAll(async () => {
  site = await startNewsSite();
});

afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
  site.requests.length = 0;
});

afterAll(async () => {
  await site.close();
});

describe('createHttpFetcher', () => {
  it('fetches a body with its validators, then gets 304 on a conditional GET', async () => {
    site.route('/feed.xml', {
      body: '<rss>新闻</rss>',
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Sat, 30 Aug 2025 10:00:00 GMT',
    });
    const f = fetcher();
    const first = await f.fetch(`${site.url}/feed.xml`);
    expect(first.status).toBe(200);
    expect(Buffer.from(first.body).toString('utf8')).toBe('<rss>新闻</rss>');
    expect(first).toMatchObject({
      url: `${site.url}/feed.xml`,
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Sat, 30 Aug 2025 10:00:00 GMT',
    });
    const second = await f.fetch(`${site.url}/feed.xml`, {
      etag: first.etag,
      lastModified: first.lastModified,
    });
    expect(second.status).toBe(304);
    expect(second.body.length).toBe(0);
    expect(site.requests[1]?.headers['if-none-match']).toBe('"v1"');
    expect(site.requests[1]?.headers['if-modified-since']).toBe('Sat, 30 Aug 2025 10:00:00 GMT');
    const byDate = await f.fetch(`${site.url}/feed.xml`, { lastModified: 'Sat, 30 Aug 2025 10:00:00 GMT' });
    expect(byDate.status).toBe(304);
  });

  it('sends its user agent and accepts compressed bodies', async () => {
    site.route('/ua', { body: 'ok' });
    await fetcher({ userAgent: 'newsrelay-test/1' }).fetch(`${site.url}/ua`);
    expect(site.requests[0]?.headers['user-agent']).toBe('newsrelay-test/1');
    expect(site.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('decompresses gzip, deflate and br', async () => {
    const text = '李家超參觀香港抗戰及海防博物館 '.repeat(100);
    site.route('/gz', { body: text, gzip: true });
    site.route('/deflate', { body: deflateSync(text), headers: { 'content-encoding': 'deflate' } });
    site.route('/br', { body: brotliCompressSync(text), headers: { 'content-encoding': 'br' } });
    const f = fetcher();
    for (const path of ['/gz', '/deflate', '/br']) {
      const res = await f.fetch(`${site.url}${path}`);
      expect(Buffer.from(res.body).toString('utf8'), path).toBe(text);
    }
  });

  it('follows up to maxRedirects redirects and reports the final URL', async () => {
    for (let i = 0; i < 6; i++) site.redirect(`/r${i}`, i === 5 ? '/final' : `/r${i + 1}`, i % 2 ? 301 : 302);
    site.route('/final', { body: 'done' });
    const f = fetcher();
    const ok = await f.fetch(`${site.url}/r1`);
    expect(ok.status).toBe(200);
    expect(ok.url).toBe(`${site.url}/final`);
    expect(Buffer.from(ok.body).toString()).toBe('done');

    const err = await fetchError(f.fetch(`${site.url}/r0`));
    expect(err.code).toBe('too_many_redirects');
    expect(err.retryable).toBe(false);
    const three = await fetchError(fetcher({ maxRedirects: 3 }).fetch(`${site.url}/r1`));
    expect(three.code).toBe('too_many_redirects');
  });

  it('refuses a redirect to a non-http scheme', async () => {
    site.redirect('/to-file', 'file:///etc/passwd');
    const err = await fetchError(fetcher().fetch(`${site.url}/to-file`));
    expect(err.code).toBe('url_invalid');
  });

  it('refuses a gzip bomb without inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    site.route('/bomb', { body: bomb, headers: { 'content-encoding': 'gzip' } });
    const before = process.memoryUsage().arrayBuffers;
    const err = await fetchError(fetcher({ maxBytes: 1024 * 1024 }).fetch(`${site.url}/bomb`));
    expect(err.code).toBe('too_large');
    expect(err.retryable).toBe(false);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses a plain body over the cap', async () => {
    site.route('/big', { body: Buffer.alloc(2 * 1024 * 1024, 0x61) });
    const err = await fetchError(fetcher({ maxBytes: 1024 * 1024 }).fetch(`${site.url}/big`));
    expect(err.code).toBe('too_large');
    site.route('/chunked', (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024));
      res.end();
    });
    const chunked = await fetchError(fetcher({ maxBytes: 1024 * 1024 }).fetch(`${site.url}/chunked`));
    expect(chunked.code).toBe('too_large');
  });

  it('times out slow answers', async () => {
    site.route('/slow', { body: 'late', delayMs: 2_000 });
    const started = Date.now();
    const err = await fetchError(fetcher({ timeoutMs: 200 }).fetch(`${site.url}/slow`));
    expect(err.code).toBe('fetch_timeout');
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('times out a body that trickles', async () => {
    site.route('/trickle', (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const err = await fetchError(fetcher({ timeoutMs: 300 }).fetch(`${site.url}/trickle`));
    expect(err.code).toBe('fetch_timeout');
  });

  it('maps HTTP errors to http_status with the right retryability', async () => {
    const f = fetcher();
    for (const [status, retryable] of [
      [404, false],
      [410, false],
      [401, false],
      [403, false],
      [408, true],
      [429, true],
      [500, true],
      [503, true],
    ] as const) {
      site.route(`/status${status}`, { status, body: 'no' });
      const err = await fetchError(f.fetch(`${site.url}/status${status}`));
      expect(err.code, String(status)).toBe('http_status');
      expect(err.status).toBe(status);
      expect(err.retryable, String(status)).toBe(retryable);
    }
  });

  it('refuses invalid and non-http URLs', async () => {
    const f = fetcher();
    expect((await fetchError(f.fetch('not a url'))).code).toBe('url_invalid');
    expect((await fetchError(f.fetch('ftp://example.com/feed'))).code).toBe('url_invalid');
  });

  it('refuses loopback unless private networks are allowed', async () => {
    site.route('/private', { body: 'secret' });
    const guarded = fetcher({ allowPrivateNetwork: false });
    for (const url of [
      `${site.url}/private`,
      `http://localhost:${site.port}/private`,
      `http://[::1]:${site.port}/`,
    ]) {
      const err = await fetchError(guarded.fetch(url));
      expect(err.code, url).toBe('address_refused');
      expect(err.retryable).toBe(false);
    }
    expect(site.requests).toEqual([]);
    const open = await fetcher({ allowPrivateNetwork: true }).fetch(`http://localhost:${site.port}/private`);
    expect(Buffer.from(open.body).toString()).toBe('secret');
  });

  it('checks every redirect hop: an IP literal and a name resolving to a refused address', async () => {
    const other = await startNewsSite({ host: '127.0.0.2' });
    try {
      other.route('/target', { body: 'internal' });
      site.route('/target', { body: 'internal' });
      // Only 127.0.0.1 counts as allowed: a redirect to the literal 127.0.0.2 is refused
      // before connecting.
      site.redirect('/to-literal', `${other.url}/target`);
      const onlyFirst = fetcher({ addressPolicy: (ip) => ip === '127.0.0.1' });
      const literal = await fetchError(onlyFirst.fetch(`${site.url}/to-literal`));
      expect(literal.code).toBe('address_refused');
      expect(other.requests).toEqual([]);

      // Only 127.0.0.2 is allowed: a redirect to `localhost` resolves to 127.0.0.1 / ::1
      // and is refused by the look-up.
      other.redirect('/to-name', `http://localhost:${site.port}/target`);
      const onlySecond = fetcher({ addressPolicy: (ip) => ip === '127.0.0.2' });
      const named = await fetchError(onlySecond.fetch(`${other.url}/to-name`));
      expect(named.code).toBe('address_refused');
      expect(site.requests.map((r) => r.path)).toEqual(['/to-literal']);
      expect(other.requests.map((r) => r.path)).toEqual(['/to-name']);
    } finally {
      await other.close();
    }
  });

  it('limits concurrent requests per host', async () => {
    site.route('/slowish', { body: 'ok', delayMs: 100 });
    const f = fetcher({ perHostConcurrency: 2 });
    const before = site.maxConcurrent;
    expect(before).toBeLessThanOrEqual(2);
    await Promise.all(Array.from({ length: 8 }, (_, i) => f.fetch(`${site.url}/slowish?i=${i}`)));
    expect(site.requests.length).toBe(8);
    expect(site.maxConcurrent).toBe(2);
    const other = await startNewsSite();
    try {
      other.route('/slowish', { body: 'ok', delayMs: 100 });
      const three = fetcher({ perHostConcurrency: 3 });
      await Promise.all(Array.from({ length: 9 }, (_, i) => three.fetch(`${other.url}/slowish?i=${i}`)));
      expect(other.maxConcurrent).toBe(3);
    } finally {
      await other.close();
    }
  });

  it('bounds the wait for a per-host slot, which the fetch timeout did not cover', async () => {
    site.route('/hold', { body: 'held', delayMs: 1_500 });
    site.route('/queued', { body: 'queued' });
    const f = fetcher({ perHostConcurrency: 1, timeoutMs: 5_000, queueTimeoutMs: 200 });
    const holder = f.fetch(`${site.url}/hold`);
    const started = Date.now();
    const err = await fetchError(f.fetch(`${site.url}/queued`));
    expect(err.code).toBe('fetch_timeout');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('behind other fetches');
    expect(Date.now() - started).toBeLessThan(1_200);
    expect((await holder).status).toBe(200);
    // The abandoned waiter gave nothing away: the host's slot is free again.
    expect((await f.fetch(`${site.url}/queued`)).status).toBe(200);
    expect(site.requests.filter((r) => r.path === '/queued')).toHaveLength(1);
  });

  it('sends URL credentials as Basic auth to that origin only and never leaks them', async () => {
    site.route('/auth', (req, res) => {
      res.writeHead(
        req.headers.authorization === `Basic ${Buffer.from('reader:hunter2').toString('base64')}` ? 200 : 401,
      );
      res.end('ok');
    });
    const f = fetcher();
    const ok = await f.fetch(`http://reader:hunter2@127.0.0.1:${site.port}/auth`);
    expect(ok.url).toBe(`${site.url}/auth`);

    site.route('/denied', { status: 403 });
    const denied = await fetchError(f.fetch(`http://reader:hunter2@127.0.0.1:${site.port}/denied`));
    expect(denied.message).not.toContain('hunter2');
    expect(denied.message).not.toContain('reader');
    const guarded = await fetchError(
      fetcher({ allowPrivateNetwork: false }).fetch(`http://reader:hunter2@localhost:${site.port}/`),
    );
    expect(guarded.message).not.toContain('hunter2');
    const refusedPort = await fetchError(f.fetch('http://reader:hunter2@127.0.0.1:1/'));
    expect(refusedPort.code).toBe('fetch_failed');
    expect(refusedPort.message).not.toContain('hunter2');
    const bad = await fetchError(f.fetch('ftp://reader:hunter2@example.com/'));
    expect(bad.message).not.toContain('hunter2');

    const elsewhere = await startNewsSite({ host: '127.0.0.2' });
    try {
      elsewhere.route('/landing', { body: 'ok' });
      site.redirect('/away', `${elsewhere.url}/landing`);
      await f.fetch(`http://reader:hunter2@127.0.0.1:${site.port}/away`);
      expect(elsewhere.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses fetches after close', async () => {
    const f = createHttpFetcher({ allowPrivateNetwork: true });
    await f.close();
    expect((await fetchError(f.fetch(`${site.url}/feed.xml`))).code).toBe('fetch_failed');
  });
});
