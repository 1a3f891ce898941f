/**
 * A fake news site for tests: a real HTTP server on 127.0.0.1 with a random port, serving
 * configured routes, answering conditional GETs, and recording every request it receives.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** A canned answer. */
export interface RouteSpec {
  body?: Buffer | string;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** Default 200; use 301/302/307/308 with `headers.location` for a redirect. */
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Gzip the body on the fly and send `Content-Encoding: gzip`. */
  gzip?: boolean;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A request the site received. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingHttpHeaders;
}

export interface NewsSite {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  route(path: string, handler: RouteHandler | RouteSpec): void;
  /** Routes `path` to a redirect to `location` (absolute or relative). */
  redirect(path: string, location: string, status?: number): void;
  requests: RecordedRequest[];
  /** Most requests that were being answered at the same time. */
  readonly maxConcurrent: number;
  close(): Promise<void>;
}

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const weak = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => weak(t) === weak(etag));
}

function notModifiedSince(ifModifiedSince: string | undefined, lastModified: string): boolean {
  if (ifModifiedSince === undefined) return false;
  if (ifModifiedSince === lastModified) return true;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

async function serveSpec(spec: RouteSpec, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (spec.delayMs) await new Promise((resolve) => setTimeout(resolve, spec.delayMs));
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.contentType) headers['content-type'] = spec.contentType;
  if (spec.etag) headers.etag = spec.etag;
  if (spec.lastModified) headers['last-modified'] = spec.lastModified;
  const conditional = req.headers['if-none-match'] !== undefined && spec.etag !== undefined;
  const notModified = conditional
    ? etagMatches(req.headers['if-none-match'], spec.etag!)
    : spec.lastModified !== undefined &&
      notModifiedSince(req.headers['if-modified-since'], spec.lastModified);
  if (notModified) {
    res.writeHead(304, headers).end();
    return;
  }
  let body = typeof spec.body === 'string' ? Buffer.from(spec.body) : (spec.body ?? Buffer.alloc(0));
  if (spec.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  res.writeHead(spec.status ?? 200, headers).end(body);
}

/** Starts a fake news site on `host` (default 127.0.0.1) and a random port. */
export async function startNewsSite(options: { host?: string } = {}): Promise<NewsSite> {
  const host = options.host ?? '127.0.0.1';
  const routes = new Map<string, RouteHandler | RouteSpec>();
  const requests: RecordedRequest[] = [];
  let active = 0;
  let maxConcurrent = 0;

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    active++;
    maxConcurrent = Math.max(maxConcurrent, active);
    let counted = true;
    const done = () => {
      if (counted) active--;
      counted = false;
    };
    res.on('finish', done);
    res.on('close', done);
    const route = routes.get(path) ?? routes.get(path.split('?')[0] ?? path);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const answer = typeof route === 'function' ? route(req, res) : serveSpec(route, req, res);
    Promise.resolve(answer).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    route(path, handler) {
      routes.set(path, handler);
    },
    redirect(path, location, status = 302) {
      routes.set(path, { status, headers: { location } });
    },
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
