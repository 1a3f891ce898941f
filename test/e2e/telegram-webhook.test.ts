/**
 * Webhook mode through the composition root: TELEGRAM_WEBHOOK_URL set, the service's HTTP
 * server receives updates from the (fake) Bot API with the secret token header, and refuses
 * posts without it.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type Service, startService } from '../../src/main.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';

const prefix = `test-${randomUUID()}`;
const dbName = `test_webhook_${randomUUID().slice(0, 8)}`;
let telegram: FakeTelegram;
let service: Service;
let hookUrl = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  telegram = await startFakeTelegram();
  const port = await freePort();
  hookUrl = `http://127.0.0.1:${port}/telegram/${randomUUID()}`;
  service = await startService(
    loadConfig({
      MONGODB_URI: `mongodb://127.0.0.1:27017/${dbName}`,
      QUEUE_PREFIX: prefix,
      HTTP_PORT: String(port),
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_URL: hookUrl,
      DEFAULT_LOCALE: 'en',
      LOG_LEVEL: 'silent',
    }),
    'bot',
  );
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await telegram?.close();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  const { default: mongoose } = await import('mongoose');
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:27017/${dbName}`).asPromise();
  await conn.dropDatabase();
  await conn.close();
});

describe('Telegram webhook mode', () => {
  it('sets the webhook with a secret token and never long-polls', () => {
    const set = telegram.callsTo('setWebhook');
    expect(set).toHaveLength(1);
    expect(set[0]!.params.url).toBe(hookUrl);
    expect(String(set[0]!.params.secret_token ?? '')).toMatch(/^[A-Za-z0-9_-]{16,256}$/);
    expect(telegram.callsTo('getUpdates')).toHaveLength(0);
  });

  it('answers updates the Bot API posts with the secret', async () => {
    telegram.sendText({ id: 9100, type: 'private' }, { id: 9100, language_code: 'en' }, '/start');
    const reply = await waitFor(() => telegram.sentMessages(9100)[0], 15_000);
    expect(String(reply.text).length).toBeGreaterThan(10);
  });

  it('refuses a post without the secret token and runs nothing', async () => {
    const forged = {
      update_id: 999_001,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 9200, type: 'private' },
        from: { id: 9200, is_bot: false, first_name: 'M' },
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    };
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
      body: JSON.stringify(forged),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 500));
    expect(telegram.sentMessages(9200)).toHaveLength(0);
  });
});
