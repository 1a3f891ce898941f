/** Shared set-up of the Telegram e2e tests: fake Bot API, fake news site, real FerretDB and Redis. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTelegramAdapter, type TelegramAdapter } from '../../adapters/telegram/index.ts';
import { createDeliveryRuntime, type DeliveryRuntime } from '../../jobs/delivery-runtime.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { type Core, createCore } from '../../src/core.ts';
import { createLogger } from '../../src/log.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';

/** An RSS feed of `items`, published now. */
export function rss(title: string, items: Array<{ title: string; path: string }>, base: string): string {
  const now = new Date().toUTCString();
  const entries = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${base}${i.path}</link><guid>${base}${i.path}</guid><pubDate>${now}</pubDate></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${title}</title><link>${base}/</link><description>d</description>${entries}</channel></rss>`;
}

/** A running stack. `restart()` rebuilds core, runtime and adapter on the same database and Redis prefix. */
export interface Stack {
  fake: FakeTelegram;
  site: NewsSite;
  config: Config;
  core: Core;
  runtime: DeliveryRuntime;
  adapter: TelegramAdapter;
  redis: Redis;
  stopApp(): Promise<void>;
  startApp(extra?: Record<string, string>): Promise<void>;
  wipeRedis(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const fake = await startFakeTelegram();
  const site = await startNewsSite();
  const base = {
    MONGODB_URI: `mongodb://127.0.0.1:27017/test_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
    QUEUE_PREFIX: `test-${randomUUID()}`,
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
    ALLOW_PRIVATE_NETWORK_FEEDS: 'true',
    DEFAULT_TIMEZONE: 'UTC',
    DEFAULT_LOCALE: 'en',
    LOG_LEVEL: 'silent',
    ...env,
  };
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const stack = { fake, site, redis } as Stack;
  stack.startApp = async (extra = {}) => {
    stack.config = loadConfig({ ...base, ...extra });
    stack.core = await createCore(stack.config, createLogger('silent'));
    stack.runtime = createDeliveryRuntime({ core: stack.core, config: stack.config });
    stack.core.hooks.onNewArticles = stack.runtime.onNewArticles;
    stack.adapter = createTelegramAdapter({
      core: stack.core,
      config: stack.config,
      chats: stack.runtime.chats,
      digests: stack.runtime.digests,
      schedules: stack.runtime.schedules,
    });
    await stack.runtime.start({ senders: [stack.adapter.sender] });
    await stack.adapter.start();
  };
  stack.stopApp = async () => {
    await stack.adapter.stop();
    await stack.runtime.stop();
    await stack.core.close();
  };
  stack.wipeRedis = async () => {
    const keys = await redis.keys(`${base.QUEUE_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
  };
  stack.close = async () => {
    await stack.stopApp();
    const core = await createCore(loadConfig(base), createLogger('silent'));
    await core.db.drop();
    await core.close();
    await stack.wipeRedis();
    await redis.quit();
    await fake.close();
    await site.close();
  };
  await stack.startApp();
  return stack;
}

/** Texts the bot sent to `chatId` after index `from`. */
export function textsTo(fake: FakeTelegram, chatId: number): string[] {
  return fake.sentMessages(chatId).map((m) => m.text ?? m.caption ?? '');
}

/** Send `text` and wait for the `n`-th new bot message in that chat; returns the new messages. */
export async function ask(
  fake: FakeTelegram,
  chat: Parameters<FakeTelegram['sendText']>[0],
  from: Parameters<FakeTelegram['sendText']>[1],
  text: string,
  n = 1,
  extra?: Parameters<FakeTelegram['sendText']>[3],
) {
  const before = fake.sentMessages(chat.id).length;
  fake.sendText(chat, from, text, extra);
  return waitFor(
    () => {
      const sent = fake.sentMessages(chat.id);
      return sent.length >= before + n ? sent.slice(before) : undefined;
    },
    10_000,
    { message: `no reply to ${text}` },
  );
}
