/**
 * The one HTTP client that fetches news sources: conditional GET, redirects followed by hand
 * (each hop re-checked against the address guard), decompression under a byte cap, one
 * overall timeout, and a per-host concurrency limit so that many feeds on one site do not
 * hammer it.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, type Dispatcher, request } from 'undici';
import { FetchError, NewsrelayError } from '../errors.ts';
import {
  type AddressPolicy,
  addressPolicy,
  assertAllowedLiteral,
  createGuardedLookup,
} from './address-guard.ts';
import { redactUrl } from './canonical-url.ts';

/** Options of {@link createHttpFetcher}. */
export interface HttpFetcherOptions {
  /** Allow loopback, private and other non-public addresses (development and tests only). */
  allowPrivateNetwork: boolean;
  /** Overall limit for one fetch, all redirects and the body included. Default 15,000 ms. */
  timeoutMs?: number;
  /** Largest body accepted, counted after decompression. Default 10 MiB. */
  maxBytes?: number;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
  /** Requests in flight at once per host name. Default 2. */
  perHostConcurrency?: number;
  /**
   * Longest wait for a free per-host slot, all hops together, before the fetch fails with
   * `fetch_timeout`. Default `timeoutMs`. A fetch waiting here holds a slot of its caller's
   * (a queue worker's concurrency), so the wait must end too.
   */
  queueTimeoutMs?: number;
  /** `User-Agent` header. */
  userAgent?: string;
  /** Replaces the address check derived from `allowPrivateNetwork` (tests). */
  addressPolicy?: AddressPolicy;
}

/** Validators of the copy the caller already has, for a conditional GET. */
export interface ConditionalHeaders {
  etag?: string | null;
  lastModified?: string | null;
}

/** Outcome of a successful fetch. */
export interface FetchResult {
  /** 200 for any 2xx answer; 304 when the conditional GET found the copy unchanged. */
  status: 200 | 304;
  /** Final URL after redirects, without userinfo. */
  url: string;
  /** Decompressed body; empty for 304. */
  body: Uint8Array;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
}

/** Fetches news sources; one per process, closed at shutdown. */
export interface HttpFetcher {
  /**
   * GETs `url`, following redirects.
   *
   * @throws FetchError with code `url_invalid`, `address_refused`, `too_many_redirects`,
   * `http_status` (with `status`), `too_large`, `fetch_timeout` or `fetch_failed`.
   */
  fetch(url: string, conditional?: ConditionalHeaders): Promise<FetchResult>;
  /** Closes idle connections and waits for requests in flight. */
  close(): Promise<void>;
}

const DEFAULT_USER_AGENT = 'newsrelay/0.1 (news feed reader)';
const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5';
type IncomingHttpHeaders = Dispatcher.ResponseData['headers'];

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** 408, 429 and 5xx may succeed later; other 4xx will not. */
const RETRYABLE_STATUS = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** Counting semaphore per host name, so that one site gets at most `limit` requests at once. */
class HostLimiter {
  private readonly hosts = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(private readonly limit: number) {}

  /** Waits for a slot of `host`; rejects with `signal.reason` if the signal aborts first. */
  async acquire(host: string, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    let slot = this.hosts.get(host);
    if (slot === undefined) {
      slot = { active: 0, waiting: [] };
      this.hosts.set(host, slot);
    }
    if (slot.active >= this.limit) {
      const s = slot;
      await new Promise<void>((resolve, reject) => {
        const granted = () => {
          signal.removeEventListener('abort', abandoned);
          resolve();
        };
        const abandoned = () => {
          const i = s.waiting.indexOf(granted);
          if (i >= 0) s.waiting.splice(i, 1);
          reject(signal.reason);
        };
        s.waiting.push(granted);
        signal.addEventListener('abort', abandoned, { once: true });
      });
    } else {
      slot.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(host);
    };
  }

  private release(host: string): void {
    const slot = this.hosts.get(host);
    if (slot === undefined) return;
    const next = slot.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next !== undefined) next();
    else if (--slot.active === 0) this.hosts.delete(host);
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function parseHttpUrl(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new FetchError('url_invalid', `not a valid URL: ${redactUrl(raw)}`, { retryable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('url_invalid', `not an http(s) URL: ${redactUrl(url.href)}`, { retryable: false });
  }
  url.hash = '';
  return url;
}

/** Moves userinfo out of the URL into a Basic `Authorization` value for that origin. */
function takeCredentials(url: URL): { origin: string; authorization: string } | null {
  if (url.username === '' && url.password === '') return null;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return {
    origin: url.origin,
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  };
}

function decoders(contentEncoding: string | null, url: string): NodeJS.ReadWriteStream[] {
  if (contentEncoding === null) return [];
  const codings = contentEncoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  // Codings are listed in the order they were applied: undo them last to first. Lenient
  // flushing, as browsers do, so a body truncated after its last full block still decodes.
  const flush = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
  return codings.reverse().map((coding) => {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return createGunzip(flush);
      case 'deflate':
        return createInflate(flush);
      case 'br':
        return createBrotliDecompress();
      default:
        throw new FetchError('fetch_failed', `${url}: unsupported content-encoding ${coding}`, {
          retryable: false,
        });
    }
  });
}

async function readBody(
  body: NodeJS.ReadableStream,
  headers: IncomingHttpHeaders,
  url: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const tooLarge = () =>
    new FetchError('too_large', `${url}: body larger than ${maxBytes} bytes`, { retryable: false });
  const declared = Number(header(headers, 'content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    destroy(body);
    throw tooLarge();
  }
  let stages: NodeJS.ReadWriteStream[];
  try {
    stages = decoders(header(headers, 'content-encoding'), url);
  } catch (err) {
    destroy(body);
    throw err;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      // Failing the sink makes pipeline destroy the decompressor and the socket, so a
      // compression bomb stops here instead of inflating to the end.
      if (total > maxBytes) callback(tooLarge());
      else {
        chunks.push(chunk);
        callback();
      }
    },
  });
  await pipeline([body, ...stages, sink], { signal });
  return Buffer.concat(chunks, total);
}

/** Drops a body that will not be read, so that its connection is closed instead of stuck. */
function destroy(body: NodeJS.ReadableStream): void {
  // undici emits RequestAbortedError on a destroyed body; unheard, it would crash the process.
  body.on('error', () => {});
  (body as NodeJS.ReadableStream & { destroy(): void }).destroy();
}

function findFetchError(err: unknown): NewsrelayError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof NewsrelayError) return e;
  }
  return null;
}

function failure(err: unknown, url: string): FetchError {
  const code = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.name) : 'error';
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const message = err instanceof Error ? err.message : String(err);
  return new FetchError('fetch_failed', `${url}: ${code} ${message}${cause}`, { cause: err });
}

/**
 * Creates the fetcher. Connections go through a dedicated undici `Agent` whose DNS look-up
 * refuses non-public addresses unless `allowPrivateNetwork` is set; IP literals, which skip
 * the look-up, are checked before each hop. Credentials in a URL are sent as Basic
 * authorization to that URL's origin only, never to a redirect target elsewhere, and never
 * appear in results or error messages.
 */
export function createHttpFetcher(opts: HttpFetcherOptions): HttpFetcher {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const maxRedirects = opts.maxRedirects ?? 5;
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
  const policy = opts.addressPolicy ?? addressPolicy(opts.allowPrivateNetwork);
  const guarded = opts.addressPolicy !== undefined || !opts.allowPrivateNetwork;
  const limiter = new HostLimiter(opts.perHostConcurrency ?? 2);
  const queueTimeoutMs = opts.queueTimeoutMs ?? timeoutMs;
  const agent = new Agent({
    connect: guarded ? { lookup: createGuardedLookup(policy), timeout: timeoutMs } : { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  let closed = false;

  async function fetchOnce(rawUrl: string, conditional: ConditionalHeaders): Promise<FetchResult> {
    let url = parseHttpUrl(rawUrl);
    let credentials = takeCredentials(url);
    const controller = new AbortController();
    const queued = AbortSignal.timeout(queueTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = () =>
      new FetchError('fetch_timeout', `${url.href}: no complete answer within ${timeoutMs} ms`, {
        retryable: true,
      });
    const queueTimeout = () =>
      new FetchError(
        'fetch_timeout',
        `${url.href}: waited more than ${queueTimeoutMs} ms behind other fetches of ${url.hostname}`,
        { retryable: true },
      );
    try {
      for (let hop = 0; ; hop++) {
        const shown = url.href;
        assertAllowedLiteral(url.hostname, policy);
        // Time queued behind other fetches of the same host has its own bound; once the
        // answer is under way, the overall timeout ends the wait for a later hop's slot too.
        const release = await limiter.acquire(
          url.hostname,
          timer === undefined ? queued : AbortSignal.any([queued, controller.signal]),
        );
        timer ??= setTimeout(() => controller.abort(), timeoutMs);
        try {
          const headers: Record<string, string> = {
            'user-agent': userAgent,
            accept: ACCEPT,
            'accept-encoding': 'gzip, deflate, br',
          };
          if (conditional.etag) headers['if-none-match'] = conditional.etag;
          if (conditional.lastModified) headers['if-modified-since'] = conditional.lastModified;
          if (credentials !== null && credentials.origin === url.origin)
            headers.authorization = credentials.authorization;
          const res = await request(url, {
            dispatcher: agent,
            method: 'GET',
            headers,
            signal: controller.signal,
          });
          const status = res.statusCode;
          if (REDIRECTS.has(status)) {
            await res.body.dump();
            const location = header(res.headers, 'location');
            if (location === null) {
              throw new FetchError('http_status', `${shown}: ${status} without Location`, {
                status,
                retryable: false,
              });
            }
            if (hop >= maxRedirects) {
              throw new FetchError('too_many_redirects', `${shown}: more than ${maxRedirects} redirects`, {
                retryable: false,
              });
            }
            url = parseHttpUrl(location, url);
            credentials = takeCredentials(url) ?? credentials;
            continue;
          }
          const result = {
            url: shown,
            contentType: header(res.headers, 'content-type'),
            etag: header(res.headers, 'etag'),
            lastModified: header(res.headers, 'last-modified'),
          };
          if (status === 304) {
            await res.body.dump();
            return { status: 304, body: new Uint8Array(0), ...result };
          }
          if (status < 200 || status > 299) {
            await res.body.dump();
            throw new FetchError('http_status', `${shown}: HTTP ${status}`, {
              status,
              retryable: RETRYABLE_STATUS(status),
              params: { status },
            });
          }
          const body = await readBody(res.body, res.headers, shown, maxBytes, controller.signal);
          return { status: 200, body, ...result };
        } finally {
          release();
        }
      }
    } catch (err) {
      if (controller.signal.aborted) throw timeout();
      if (queued.aborted && err === queued.reason) throw queueTimeout();
      const known = findFetchError(err);
      if (known !== null) throw known;
      throw failure(err, redactUrl(url.href));
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async fetch(url, conditional = {}) {
      if (closed) throw new FetchError('fetch_failed', 'the HTTP fetcher is closed', { retryable: false });
      return fetchOnce(url, conditional);
    },
    async close() {
      closed = true;
      await agent.close();
    },
  };
}
