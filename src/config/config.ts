import { z } from 'zod';
import { NewsrelayError } from '../errors.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const duration = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration like 90s, 10m, 24h or 30d` });
    return z.NEVER;
  }
  return ms;
});

/** A comma (or whitespace) separated list; empty entries dropped. */
const list = z.string().transform((v) =>
  v
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter((x) => x !== ''),
);

const timezone = z.string().refine(isTimeZone, { message: 'not an IANA time zone (e.g. Asia/Shanghai)' });

/**
 * The one configuration schema. Every variable of the configuration table in docs/design.md and the README, validated at start-up;
 * `loadConfig` reports all problems at once. Nothing else in the project reads `process.env`.
 */
const schema = z.object({
  /** MongoDB (or FerretDB) connection string; the path names the database. */
  MONGODB_URI: z.string().url().default('mongodb://127.0.0.1:27017/newsrelay'),
  /** Redis for BullMQ queue state only. */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key, so several deployments (or test files) share one Redis. */
  QUEUE_PREFIX: z.string().min(1).default('newsrelay'),
  /** Enables the Telegram adapter. */
  TELEGRAM_BOT_TOKEN: z.string().min(1).optional(),
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  /** Webhook mode when set (public https URL whose path receives updates); long polling otherwise. */
  TELEGRAM_WEBHOOK_URL: z.string().url().optional(),
  /** Secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token; derived from the token when unset. */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/)
    .optional(),
  /** Messages per second to Telegram overall (Telegram allows about 30). */
  TELEGRAM_GLOBAL_RATE: z.coerce.number().int().positive().max(1000).default(30),
  /** Opt in to Telegram's paid broadcasts (allow_paid_broadcast, up to 1,000 msg/s). */
  TELEGRAM_PAID_BROADCAST: bool.prefault('false'),
  /** Enable the Discord adapter (both are needed). */
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d+$/, 'a numeric snowflake').optional(),
  DISCORD_API_ROOT: z.string().url().default('https://discord.com/api'),
  /** Channel messages per second to Discord overall, on top of discord.js's own buckets. */
  DISCORD_GLOBAL_RATE: z.coerce.number().int().positive().max(50).default(40),
  /** Port of the HTTP server (`/healthz`, `/readyz`, `/metrics`, the queue dashboard, the Telegram webhook). */
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Address the HTTP server binds; `0.0.0.0` in a container so the orchestrator reaches `/readyz`. */
  HTTP_HOST: z.string().default('127.0.0.1'),
  /**
   * Password of the queue dashboard (`/dashboard`): HTTP Basic auth with any user name, or
   * `Authorization: Bearer <token>`. Unset: the dashboard is open on a loopback HTTP_HOST and
   * off (404) on any other.
   */
  DASHBOARD_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** The dashboard shows queues and jobs but refuses every action (retry, pause, clean, add) unless false. */
  DASHBOARD_READ_ONLY: bool.prefault('true'),
  /**
   * How long start-up waits for an explicitly set MONGODB_URI / REDIS_URL to answer before it
   * exits non-zero (nothing is ever started in their place).
   */
  SERVICES_WAIT: duration.prefault('60s'),
  /**
   * Time-to-live of the Redis locks that let one bot process poll Telegram and hold the Discord
   * gateway; a holder that dies is replaced after at most this long.
   */
  LEADER_LOCK_TTL: duration.prefault('15s'),
  /** How often the scheduler looks for due sources. */
  POLL_TICK: duration.prefault('30s'),
  /**
   * Lock of a fetch, digest or delivery job while a worker runs it: a worker that dies leaves its
   * jobs to others after about this long (and at most twice it).
   */
  JOB_LOCK: duration.prefault('30s'),
  /**
   * How often the scheduler checks that Redis still holds its schedules (a wiped or failed-over
   * Redis loses them) and rebuilds them from MongoDB when not.
   */
  RECONCILE_INTERVAL: duration.prefault('60s'),
  ALLOW_PRIVATE_NETWORK_FEEDS: bool.prefault('false'),
  DEFAULT_TIMEZONE: timezone.default('Asia/Shanghai'),
  DEFAULT_LOCALE: z.enum(['zh-Hans', 'zh-Hant', 'en']).default('zh-Hans'),
  /** Default poll interval of new sources. */
  DEFAULT_POLL_INTERVAL: duration.prefault('10m'),
  /** Articles older than this are deleted by the retention job. */
  ARTICLE_RETENTION: duration.prefault('30d'),
  /** How far back a chat's first digest looks. */
  FIRST_DIGEST_LOOKBACK: duration.prefault('24h'),
  /** Consecutive failures after which a source is disabled. */
  SOURCE_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  /**
   * Feed URLs listed in every chat's /sources (comma separated); other sources are listed only in
   * the chats that follow them (`newsrelay sources public` marks one too).
   */
  PUBLIC_SOURCES: list.pipe(z.array(z.string().url('a feed URL'))).prefault(''),
  /**
   * Who may add new sources from a chat: platform user ids like `telegram:123,discord:456`; empty
   * lets everyone. Subscribing to a source already known is not limited.
   */
  ALLOWED_USERS: list
    .pipe(z.array(z.string().regex(/^(telegram|discord):\d{1,20}$/, 'telegram:<id> or discord:<id>')))
    .prefault(''),
  /** How many sources one user may be the first to add from a chat; 0 = no limit. */
  MAX_SOURCES_PER_USER: z.coerce.number().int().min(0).default(0),
  FETCH_TIMEOUT: duration.prefault('15s'),
  /** Largest feed body accepted, after decompression. */
  FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  FETCH_PER_HOST_CONCURRENCY: z.coerce.number().int().positive().default(2),
  /** Sources fetched at once by one worker. */
  FETCH_CONCURRENCY: z.coerce.number().int().positive().default(32),
  /**
   * Threads that read fetched documents, per process (each costs about 45 MB). Unset: one fewer
   * than the cores (the main thread fetches and stores), at least 1 and at most 4.
   */
  PARSE_THREADS: z.coerce.number().int().min(1).max(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * How far a `serve` process's heap may grow past what its last full garbage collection kept,
   * in percent, before the next one, while that is under 160 MiB (src/heap-growth.ts); 0 leaves
   * V8's own policy (up to 300 %).
   */
  HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(300).default(20),
});

/** Validated configuration; durations are milliseconds. */
export type Config = z.output<typeof schema>;

/** Name of a configuration variable. */
export type ConfigKey = keyof Config;

/** Every variable the schema knows, in the schema's order. */
export const CONFIG_KEYS = Object.keys(schema.shape) as ConfigKey[];

/**
 * The variables the operator set (present and non-empty in `env`), as opposed to those the
 * schema filled with defaults. `serve` starts local MongoDB / Redis only for unset ones.
 */
export function explicitKeys(env: Record<string, string | undefined> = process.env): Set<ConfigKey> {
  return new Set(CONFIG_KEYS.filter((k) => env[k] !== undefined && env[k] !== ''));
}

/** Parse and validate the environment; throws `config_invalid` listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries([...explicitKeys(env)].map((k) => [k, env[k]]));
  const result = schema.safeParse(known);
  if (result.success) {
    const cfg = result.data;
    if (Boolean(cfg.DISCORD_TOKEN) !== Boolean(cfg.DISCORD_APPLICATION_ID)) {
      throw new NewsrelayError(
        'config_invalid',
        'Invalid configuration: DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set together',
      );
    }
    return cfg;
  }
  const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new NewsrelayError('config_invalid', `Invalid configuration: ${problems.join('; ')}`);
}

/** Parse `90s`, `10m`, `24h`, `30d` (or plain milliseconds) into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
  const ms = n * (factor[unit] ?? 1);
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : null;
}

/** True for IANA zone names the runtime knows (Asia/Hong_Kong, UTC, …). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
