import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelegramError } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDeliveryError } from '../../adapters/telegram/telegram-errors.ts';
import { createPooledBotApi } from '../../adapters/telegram/telegram-transport.ts';

const TOKEN = '123456:secret-token-value';
const seen: Array<{ url: string; body: unknown }> = [];
let answer: (req: IncomingMessage) => { status: number; body: string } = () => ({
  status: 200,
  body: JSON.stringify({ ok: true, result: { message_id: 7 } }),
});
let chunked = false;
let server: Server;
let root: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const { status, body } = answer(req);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
      res.writeHead(status, headers);
      // Without a length, the answer goes out in pieces (chunked).
      if (chunked) for (let i = 0; i < body.length; i += 65_536) res.write(body.slice(i, i + 65_536));
      res.end(chunked ? undefined : body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  const closed = new Promise<void>((r) => server.close(() => r()));
  // The pool keeps its connections alive for a few seconds: close them rather than wait.
  server.closeAllConnections();
  await closed;
});

/** What the pooled call threw, as the sender maps it. */
async function failure(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    return { err, mapped: toDeliveryError(err) };
  }
  throw new Error('the call did not fail');
}

describe('the pooled Bot API transport', () => {
  it('posts JSON to the path telegraf builds, without null fields, and answers the result', async () => {
    const call = createPooledBotApi(TOKEN, `${root}/tg/`);
    const result = await call('sendMessage', {
      chat_id: '42',
      text: '新聞 & <b>',
      message_thread_id: undefined,
      x: null,
    });
    expect(result).toEqual({ message_id: 7 });
    const last = seen.at(-1)!;
    expect(last.url).toBe(`/tg/bot${TOKEN}/sendMessage`);
    expect(last.body).toEqual({ chat_id: '42', text: '新聞 & <b>' });
    // A root without a trailing slash resolves as telegraf resolves it (the last segment goes).
    await createPooledBotApi(TOKEN, `${root}/tg`)('sendMessage', { chat_id: '1', text: 'x' });
    expect(seen.at(-1)!.url).toBe(`/bot${TOKEN}/sendMessage`);
  });

  it('throws the Bot API’s errors as telegraf does, so 429, 403, 400 and 5xx map as before', async () => {
    const call = createPooledBotApi(TOKEN, root);
    const send = () => call('sendMessage', { chat_id: '42', text: 'x' });
    const refuse = (status: number, extra: Record<string, unknown> = {}) => {
      answer = () => ({ status, body: JSON.stringify({ ok: false, error_code: status, ...extra }) });
    };
    refuse(429, { description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
    const limited = await failure(send);
    expect(limited.err).toBeInstanceOf(TelegramError);
    expect(limited.mapped).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    refuse(403, { description: 'Forbidden: bot was blocked by the user' });
    expect((await failure(send)).mapped.kind).toBe('chat_gone');
    refuse(400, { description: 'Bad Request: message thread not found' });
    expect((await failure(send)).mapped.kind).toBe('rejected');
    answer = () => ({ status: 502, body: '<html>Bad Gateway</html>' });
    const gateway = await failure(send);
    expect(gateway.mapped.kind).toBe('retry');
    expect((gateway.err as TelegramError).code).toBe(502);
    answer = () => ({ status: 200, body: 'not json' });
    expect((await failure(send)).mapped.kind).toBe('retry');
  });

  it('refuses an answer larger than a megabyte, also one sent without a length', async () => {
    const call = createPooledBotApi(TOKEN, root);
    const huge = JSON.stringify({ ok: true, result: { text: 'x'.repeat(2 * 1024 * 1024) } });
    answer = () => ({ status: 200, body: huge });
    const declared = await failure(() => call('sendMessage', { chat_id: '42', text: 'x' }));
    expect((declared.err as TelegramError).description).toBe('answer too large');
    chunked = true;
    const streamed = await failure(() => call('sendMessage', { chat_id: '42', text: 'x' }));
    chunked = false;
    expect((streamed.err as TelegramError).description).toBe('answer too large');
    expect(streamed.mapped.kind).toBe('retry');
  });

  it('names no token when the Bot API cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { err, mapped } = await failure(() =>
      createPooledBotApi(TOKEN, `http://127.0.0.1:${port}`)('sendMessage', { chat_id: '1', text: 'x' }),
    );
    expect(mapped.kind).toBe('retry');
    expect(String((err as Error).message)).not.toContain('secret-token-value');
    expect(mapped.message).not.toContain('secret-token-value');
  });
});
