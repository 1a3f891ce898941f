import { Client, GatewayIntentBits, type RateLimitData, REST, type RESTOptions } from 'discord.js';

/** How long discord.js may wait out a rate limit on its own before it throws `RateLimitError`. */
export const MAX_INLINE_RATE_LIMIT_WAIT_MS = 5_000;

/** Options of {@link createDiscordClient}. */
export interface DiscordClientOptions {
  /** REST root without the version, e.g. `https://discord.com/api` (a fake's `http://127.0.0.1:PORT/api`). */
  apiRoot: string;
  /** Longest rate-limit wait discord.js sits out itself; longer ones throw, for the queue to reschedule. */
  maxInlineRateLimitWaitMs?: number;
}

function restOptions(opts: DiscordClientOptions): Partial<RESTOptions> {
  const maxWait = opts.maxInlineRateLimitWaitMs ?? MAX_INLINE_RATE_LIMIT_WAIT_MS;
  return {
    api: opts.apiRoot.replace(/\/+$/, ''),
    rejectOnRateLimit: (info: RateLimitData) => info.retryAfter > maxWait,
  };
}

/**
 * A REST client of its own for deliveries, holding the token from the start: it sends whether or
 * not this process holds the gateway session (worker processes never do; a bot process that lost
 * its lock has destroyed its client, which clears the client's token).
 */
export function createDiscordRest(opts: DiscordClientOptions, token: string): REST {
  return new REST(restOptions(opts)).setToken(token);
}

/**
 * The discord.js client newsrelay runs: the Guilds intent only (interactions arrive regardless;
 * no message content is read), the REST root from configuration (the gateway URL then comes from
 * `GET /gateway/bot`), and `rejectOnRateLimit` for long waits, so a delivery job does not sit
 * on a worker slot for a minute but is rescheduled by the queue.
 */
export function createDiscordClient(opts: DiscordClientOptions): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: restOptions(opts),
    allowedMentions: { parse: [] },
  });
}
