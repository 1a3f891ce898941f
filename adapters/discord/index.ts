import { type Client, Events, Routes } from 'discord.js';
import type { Config } from '../../src/config/config.ts';
import type { Core } from '../../src/core.ts';
import type { PlatformSender } from '../../src/delivery/platform-sender.ts';
import { NewsrelayError } from '../../src/errors.ts';
import { type Logger, redactSecrets, registerSecrets } from '../../src/log.ts';
import { commandDefinitions } from './command-definitions.ts';
import { createDiscordClient } from './discord-client.ts';
import { DiscordSender } from './discord-sender.ts';
import { GuildChats } from './guild-chats.ts';
import { createInteractionRouter } from './interaction-router.ts';

/** What the Discord adapter is built from. */
export interface DiscordAdapterDeps {
  /** Needs DISCORD_TOKEN, DISCORD_APPLICATION_ID and DISCORD_API_ROOT. */
  config: Config;
  core: Core;
  /** Defaults to `core.log`. */
  log?: Logger;
  /** Observes how long each interaction took from arrival to its answer (metrics). */
  onAnswered?: (ms: number) => void;
}

/** The running Discord adapter. */
export interface DiscordAdapter {
  /** Log in (gateway), register the slash commands, and start answering interactions. */
  start(): Promise<void>;
  /** Disconnect. */
  stop(): Promise<void>;
  /** True while the gateway session is ready (false before login, after a fatal close or stop). */
  readonly running: boolean;
  /** Posts deliveries to channels; give it to the Discord delivery worker. */
  readonly sender: PlatformSender;
  /** The discord.js client (for health checks and tests). */
  readonly client: Client;
}

/**
 * Build the Discord adapter: a discord.js client on the configured REST root, slash commands
 * (/headlines, /search, /sources, /article, /feed, /settings) on the core, and the channel sender.
 */
export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const { config, core } = deps;
  const token = config.DISCORD_TOKEN;
  const applicationId = config.DISCORD_APPLICATION_ID;
  if (!token || !applicationId) {
    throw new NewsrelayError(
      'config_invalid',
      'The Discord adapter needs DISCORD_TOKEN and DISCORD_APPLICATION_ID',
    );
  }
  registerSecrets([token]);
  const log = (deps.log ?? core.log).child({ adapter: 'discord' });
  const guilds = new GuildChats(core.chats, {
    timezone: config.DEFAULT_TIMEZONE,
    locale: config.DEFAULT_LOCALE,
  });
  const client = createDiscordClient({ apiRoot: config.DISCORD_API_ROOT });
  const sender = new DiscordSender({ client });
  const route = createInteractionRouter(
    { services: { ...core, log }, client, guilds },
    deps.onAnswered ? { onAnswered: deps.onAnswered } : {},
  );

  client.on(Events.InteractionCreate, (i) => {
    route(i).catch((err: unknown) =>
      log.error({ err: redactSecrets(String(err)) }, 'interaction handler failed'),
    );
  });
  client.on(Events.Error, (err) => log.error({ err: redactSecrets(err.message) }, 'discord client error'));
  client.rest.on('rateLimited', (info) =>
    log.debug(
      { route: info.route, retryAfter: info.retryAfter, global: info.global },
      'discord rate limited',
    ),
  );

  return {
    sender,
    client,
    get running() {
      return client.isReady();
    },
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      try {
        await client.login(token);
      } catch (err) {
        throw new NewsrelayError('config_invalid', `Discord login failed: ${redactSecrets(String(err))}`);
      }
      await ready;
      await client.rest.put(Routes.applicationCommands(applicationId), { body: commandDefinitions() });
      log.info({ guilds: client.guilds.cache.size }, 'discord adapter ready');
    },
    async stop() {
      await client.destroy();
    },
  };
}
