/** Shared set-up of the Telegram e2e tests: fake Bot API, fake news site, the service on real FerretDB and Redis. */
import type { DeliveryPorts } from '../../jobs/delivery-runtime.ts';
import type { Core } from '../../src/core.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { startTestService, type TestService } from '../helpers/test-service.ts';

export { rssAt as rss } from '../helpers/feeds.ts';

/** A running stack: the whole service (`startService`) with the Telegram fake and a news site. */
export interface Stack {
  fake: FakeTelegram;
  site: NewsSite;
  app: TestService;
  /** The running service's core and queue ports (they change on restart). */
  readonly core: Core;
  readonly ports: DeliveryPorts;
  close(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const fake = await startFakeTelegram();
  const site = await startNewsSite();
  const app = await startTestService({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
    DEFAULT_TIMEZONE: 'UTC',
    ...env,
  });
  // The service starts polling once it holds the poller lock.
  await waitFor(() => app.service.telegram?.running, 15_000, {
    message: 'the Telegram adapter did not start',
  });
  return {
    fake,
    site,
    app,
    get core() {
      return app.core;
    },
    get ports() {
      return app.service.ports;
    },
    async close() {
      await app.cleanup();
      await fake.close();
      await site.close();
    },
  };
}

/** Texts the bot sent to `chatId`. */
export function textsTo(fake: FakeTelegram, chatId: number): string[] {
  return fake.sentMessages(chatId).map((m) => m.text ?? m.caption ?? '');
}

/** A progress note a slow `/subscribe` sends before its answer ("Checking <url> …"). */
const PROGRESS = /^(Checking|正在检查|正在檢查) /;

/**
 * Send `text` and wait for the `n`-th new bot message in that chat; returns the new messages
 * (progress notes of slow commands are left out: they come and go with the machine's speed).
 */
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
      const sent = fake
        .sentMessages(chat.id)
        .slice(before)
        .filter((m) => !PROGRESS.test(m.text ?? ''));
      return sent.length >= n ? sent : undefined;
    },
    10_000,
    { message: `no reply to ${text}` },
  );
}
