/**
 * Answers of the hostile corpus's fake servers: plain documents with any headers, and the
 * misbehaving ones (slow drip, reset, lying lengths, endless bodies, compression bombs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { RouteHandler } from '../fakes/news-site.ts';

/** One answer of a case's server. */
export type Serve = RouteHandler;

type Body = Buffer | string;

let eager = false;

/**
 * Build bodies given as functions when the answer is made, not on the first request: the
 * corpus server does this before it starts listening, so that no fetch waits for a generator.
 */
export function buildBodiesEagerly(): void {
  eager = true;
}

/**
 * A document answer: status 200 unless given, headers as given (no charset added). A body
 * given as a function is built on the first request, so that the corpus holds only the bodies
 * of the cases being run.
 */
export function doc(
  body: Body | (() => Body),
  opts: { type?: string | null; status?: number; headers?: Record<string, string>; gzip?: boolean } = {},
): Serve {
  let built: Buffer | null = null;
  const payloadOf = (): Buffer => {
    if (built === null) {
      const raw = typeof body === 'function' ? body() : body;
      const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
      built = opts.gzip ? gzipSync(bytes) : bytes;
    }
    return built;
  };
  if (eager) payloadOf();
  return (_req, res) => {
    const payload = payloadOf();
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.type !== null) headers['content-type'] = opts.type ?? 'application/rss+xml';
    if (opts.gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] ??= String(payload.length);
    res.writeHead(opts.status ?? 200, headers).end(payload);
  };
}

/** An answer with only a status line (a 301 without Location, a 204). */
export function status(code: number): Serve {
  return (_req, res) => {
    res.writeHead(code).end();
  };
}

/** A redirect to `location` (relative to the request is fine). */
export function redirect(location: string, status = 302): Serve {
  return (_req, res) => {
    res.writeHead(status, { location }).end();
  };
}

/** Sends `head` of a body, then one byte every `everyMs`, never finishing. */
export function drip(head: string, everyMs: number): Serve {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.write(head);
    const timer = setInterval(() => res.write('<'), everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** Writes the status line at once, then one header line every `everyMs`, never ending the head. */
export function dripHeaders(everyMs: number): Serve {
  return (req: IncomingMessage) => {
    const socket = req.socket;
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n');
    let n = 0;
    const timer = setInterval(() => socket.write(`X-Drip-${n++}: x\r\n`), everyMs);
    socket.on('close', () => clearInterval(timer));
  };
}

/** Sends part of a body, then resets the connection. */
export function resetAfter(head: string): Serve {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': '100000' });
    res.write(head, () => res.socket?.destroy());
  };
}

/** Declares `declared` bytes, sends `body`, and ends the response. */
export function shortBody(body: string, declared: number): Serve {
  return (req: IncomingMessage) => {
    const socket = req.socket;
    socket.end(
      `HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

/** Closes the connection without answering. */
export function hangUp(): Serve {
  return (req: IncomingMessage) => {
    req.socket.destroy();
  };
}

/** `total` bytes of `chunk` repeated, streamed with backpressure; `declare` adds a Content-Length. */
export function endless(chunk: string, total: number, declare: boolean): Serve {
  return (_req, res: ServerResponse) => {
    const piece = Buffer.from(chunk.repeat(Math.ceil(65536 / chunk.length)));
    const headers: Record<string, string> = { 'content-type': 'application/rss+xml' };
    if (declare) headers['content-length'] = String(total);
    res.writeHead(200, headers);
    let sent = 0;
    const pump = (): void => {
      while (sent < total && !res.destroyed) {
        const n = Math.min(piece.length, total - sent);
        sent += n;
        if (!res.write(piece.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => {
      sent = total;
    });
    pump();
  };
}

/** A pre-compressed body (built on the first request) sent with the given Content-Encoding header. */
export function encoded(body: () => Buffer, contentEncoding: string, type = 'application/rss+xml'): Serve {
  let built: Buffer | null = eager ? body() : null;
  return (_req, res) => {
    built ??= body();
    const payload = built;
    res
      .writeHead(200, {
        'content-type': type,
        'content-encoding': contentEncoding,
        'content-length': String(payload.length),
      })
      .end(payload);
  };
}
