/**
 * The Telegram adapter: commands over telegraf (long polling, or a webhook when
 * TELEGRAM_WEBHOOK_URL is set) and the {@link PlatformSender} the delivery queue sends digests with.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Telegraf } from 'telegraf';
import type { Config } from '../../src/config/config.ts';
import type { Core } from '../../src/core.ts';
import type { PlatformSender } from '../../src/delivery/platform-sender.ts';
import { describeError, NewsrelayError } from '../../src/errors.ts';
import { redactSecrets, registerSecrets } from '../../src/log.ts';
import { ALLOWED_UPDATES, installHandlers } from './telegram-bot.ts';
import { registerCommandMenus } from './telegram-menu.ts';
import { createTelegramSender } from './telegram-sender.ts';
import { createPooledBotApi } from './telegram-transport.ts';

/** What {@link createTelegramAdapter} needs. */
export interface TelegramAdapterDeps {
  core: Core;
  config: Config;
  /** Observes how long each update took from arrival to its answer (metrics). */
  onAnswered?: (ms: number) => void;
  /** Webhook mode only: run a small HTTP server for the webhook on this port (else mount `webhookHandler`). */
  webhookListen?: { port: number; host?: string };
}

/** A running (or startable) Telegram adapter. */
export interface TelegramAdapter {
  /** Sends deliveries; usable without `start()` (worker-only processes). */
  readonly sender: PlatformSender;
  /** Webhook mode: Node `(req, res)` handler for the webhook path; verifies the secret token header. */
  readonly webhookHandler:
    | ((req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<void>)
    | null;
  /** Path the webhook handler answers (pathname of TELEGRAM_WEBHOOK_URL). */
  readonly webhookPath: string | null;
  /** Register menus; start long polling (does not wait for it to end) or set the webhook. */
  start(): Promise<void>;
  /** True between a successful `start()` and `stop()` (or the end of polling). */
  readonly running: boolean;
  stop(): Promise<void>;
}

/** Secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`: configured, or derived from the token. */
export function webhookSecret(config: Config): string {
  return (
    config.TELEGRAM_WEBHOOK_SECRET ??
    createHash('sha256').update(`newsrelay:${config.TELEGRAM_BOT_TOKEN}`).digest('base64url')
  );
}

async function untilPolling(bot: Telegraf, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((bot as unknown as { polling?: unknown }).polling === undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Build the Telegram adapter (TELEGRAM_BOT_TOKEN must be set). */
export function createTelegramAdapter(deps: TelegramAdapterDeps): TelegramAdapter {
  const { config, core } = deps;
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new NewsrelayError('config_invalid', 'TELEGRAM_BOT_TOKEN is not set');
  registerSecrets([token]);
  // Replies go out as API calls, never inside the webhook's HTTP answer: handlers return before
  // their work is done (update lanes), and the answer would otherwise race the work.
  const bot = new Telegraf(token, {
    telegram: { apiRoot: config.TELEGRAM_API_ROOT, webhookReply: false },
    handlerTimeout: 60_000,
  });
  const lanes = installHandlers(bot, {
    services: core,
    ...(deps.onAnswered ? { onAnswered: deps.onAnswered } : {}),
    defaultLocale: config.DEFAULT_LOCALE,
    defaultTimezone: config.DEFAULT_TIMEZONE,
    download: async (url) => {
      const res = await fetch(url);
      if (!res.ok) throw new NewsrelayError('fetch_failed', `Telegram file download answered ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
  });
  const api = createPooledBotApi(token, config.TELEGRAM_API_ROOT);
  const webhookUrl = config.TELEGRAM_WEBHOOK_URL;
  const webhookPath = webhookUrl ? new URL(webhookUrl).pathname : null;
  const secret = webhookUrl ? webhookSecret(config) : null;
  const webhookHandler =
    webhookPath && secret
      ? (bot.webhookCallback(webhookPath, { secretToken: secret }) as TelegramAdapter['webhookHandler'])
      : null;
  let polling: Promise<void> | null = null;
  let server: Server | null = null;
  let running = false;

  return {
    get running() {
      return running;
    },
    sender: createTelegramSender(bot.telegram, { paidBroadcast: config.TELEGRAM_PAID_BROADCAST, call: api }),
    webhookHandler,
    webhookPath,
    async start() {
      bot.botInfo ??= await bot.telegram.getMe();
      await registerCommandMenus(bot.telegram).catch((err) =>
        core.log.warn({ err: redactSecrets(describeError(err)) }, 'setMyCommands failed'),
      );
      if (webhookUrl && webhookHandler && secret) {
        if (deps.webhookListen) {
          const handler = webhookHandler;
          server = createServer((req, res) => {
            void handler(req, res, () => {
              res.statusCode = 404;
              res.end();
            });
          });
          const listen = deps.webhookListen;
          await new Promise<void>((resolve) =>
            server?.listen(listen.port, listen.host ?? '127.0.0.1', resolve),
          );
        }
        await bot.telegram.setWebhook(webhookUrl, {
          secret_token: secret,
          allowed_updates: ALLOWED_UPDATES,
        });
        running = true;
        return;
      }
      let launched!: () => void;
      const ready = new Promise<void>((resolve) => {
        launched = resolve;
      });
      // launch() resolves only when polling stops: keep the promise, wait for the first poll.
      polling = bot
        .launch({ allowedUpdates: ALLOWED_UPDATES }, () => launched())
        .catch((err) => {
          core.log.error({ err: redactSecrets(describeError(err)) }, 'telegram polling stopped');
        })
        .finally(() => {
          running = false;
        });
      await ready;
      // onLaunch fires before deleteWebhook and the polling loop exist; a stop() in that window
      // would find "Bot is not running!" and leave a poll running. Wait for the loop.
      await untilPolling(bot);
      running = true;
    },
    async stop() {
      running = false;
      if (polling) {
        try {
          bot.stop('shutdown');
        } catch {
          // not running
        }
        await polling;
        polling = null;
      }
      if (server) {
        const s = server;
        server = null;
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await lanes.drain();
    },
  };
}
