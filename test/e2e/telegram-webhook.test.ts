/**
 * Webhook mode through the composition root: TELEGRAM_WEBHOOK_URL set, the service's HTTP
 * server receives updates from the (fake) Bot API with the secret token header, and refuses
 * posts without it.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { startTestService, type TestService } from '../helpers/test-service.ts';

let telegram: FakeTelegram;
let testService: TestService;
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
  testService = await startTestService(
    {
      HTTP_PORT: String(port),
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_URL: hookUrl,
    },
    'bot',
  );
}, 60_000);

afterAll(async () => {
  await testService?.cleanup();
  await telegram?.close();
});

describe('Telegram webhook mode', () => {
  it('sets the webhook with a secret token and never long-polls', () => {
    const set = telegram.callsTo('setWebhook');
    expect(set).toHaveLength(1);
    expect(set[0]!.params.url).toBe(hookUrl);
    expect(String(set[0]!.params.secret_token ?? '')).toMatch(/^[A-Za-z0-9_-]{16,256}$/);
    expect(telegram.callsTo('getUpdates')).toHaveLength(0);
    // Telegram sends a webhook only the update types it names: every type the bot handles.
    expect(telegram.allowedUpdates()?.sort()).toEqual(['callback_query', 'channel_post', 'message']);
  });

  it('receives commands posted in a channel', async () => {
    const channel = { id: -1009100000001, type: 'channel' as const, title: 'Hook channel' };
    telegram.postInChannel(channel, '/help');
    const reply = await waitFor(() => telegram.sentMessages(channel.id)[0], 15_000);
    expect(reply.text).toContain('/timezone');
    expect(telegram.droppedUpdates()).toHaveLength(0);
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
