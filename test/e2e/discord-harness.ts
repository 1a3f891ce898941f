/**
 * Shared set-up of the Discord e2e tests: the fake Discord (REST + gateway), a fake news site with
 * the given feeds, and the service (`startService`, as `newsrelay serve` wires it) logged in to the
 * fake — or, with `core`, the adapter alone on a core the test changed (the burst test).
 */
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/index.ts';
import type { Core } from '../../src/core.ts';
import {
  type FakeDiscord,
  type FakeGuildInput,
  type InteractInput,
  type InteractionResponse,
  startFakeDiscord,
} from '../fakes/discord-api.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';
import { startTestService, type TestService } from '../helpers/test-service.ts';

/** A feed the news site serves at `path` and the stack adds as a source before the tests. */
export interface StackFeed {
  path: string;
  body: string;
}

/** A running Discord stack. */
export interface DiscordStack {
  fake: FakeDiscord;
  site: NewsSite;
  core: Core;
  adapter: DiscordAdapter;
  /** The service, unless the stack runs the adapter alone. */
  app: TestService | null;
  /** Source ids of the feeds, by path. */
  sourceIds: Map<string, string>;
  /** Send an interaction (guild, channel and locale defaulted) and wait for its final answer. */
  interact(input: Partial<InteractInput>): Promise<{
    all: InteractionResponse[];
    last: InteractionResponse;
    token: string;
    firstAt: number;
  }>;
  close(): Promise<void>;
}

/** Answers of an interaction once it is final (a reply, an update, or a deferral plus its edit / follow-up). */
export function finalAnswer(
  fake: FakeDiscord,
  token: string,
): Promise<{ all: InteractionResponse[]; last: InteractionResponse }> {
  return waitFor(() => {
    const all = fake.interactionResponses(token);
    const last = all.at(-1);
    if (!last || (last.kind === 'callback' && (last.type === 5 || last.type === 6))) return null;
    return { all, last };
  }, 10_000);
}

/** Start a Discord stack with one guild and the feeds as sources. */
export async function startDiscordStack(opts: {
  /** The guild, or a function of the fake (to name the bot's member by the fake's application id). */
  guild: FakeGuildInput | ((fake: FakeDiscord) => FakeGuildInput);
  /** Channel and locale interactions default to. */
  channelId: string;
  locale: string;
  feeds: StackFeed[];
  env?: Record<string, string>;
  /** Run the adapter alone on the test core as this function changes it (no service). */
  core?: (core: Core) => Core;
}): Promise<DiscordStack> {
  const fake = await startFakeDiscord({ heartbeatIntervalMs: 1000 });
  const guild = typeof opts.guild === 'function' ? opts.guild(fake) : opts.guild;
  fake.addGuild(guild);
  const site = await startNewsSite();
  for (const f of opts.feeds) site.route(f.path, { body: f.body, contentType: 'application/rss+xml' });
  const env = {
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: `${fake.url}/api`,
    ...opts.env,
  };
  let app: TestService | null = null;
  let standalone: TestCore | null = null;
  let core: Core;
  let adapter: DiscordAdapter;
  if (opts.core) {
    standalone = await createTestCore(env);
    core = standalone.core;
    adapter = createDiscordAdapter({ config: standalone.config, core: opts.core(core) });
  } else {
    app = await startTestService(env);
    core = app.core;
    const running = app.service.discord;
    if (!running) throw new Error('the service started without its Discord adapter');
    adapter = running;
  }
  const sourceIds = new Map<string, string>();
  for (const f of opts.feeds) {
    const added = await core.sources.add(`${site.url}${f.path}`);
    if (added.firstIngest?.status !== 'ok') throw new Error(`setup: ${f.path}: ${added.firstIngest?.error}`);
    sourceIds.set(f.path, added.source.id);
  }
  if (standalone) await adapter.start();
  // The service logs in once it holds the gateway lock; commands are registered right after READY.
  await waitFor(
    () =>
      adapter.client.isReady() &&
      fake.restTo('PUT', new RegExp(`^/applications/${fake.applicationId}/commands$`)).length > 0,
    15_000,
  );
  return {
    fake,
    site,
    core,
    adapter,
    app,
    sourceIds,
    async interact(input) {
      const start = Date.now();
      const { token } = fake.interact({
        type: 2,
        guildId: guild.id,
        channelId: opts.channelId,
        locale: opts.locale,
        ...input,
      });
      const res = await finalAnswer(fake, token);
      return { ...res, token, firstAt: (res.all[0]?.at ?? 0) - start };
    },
    async close() {
      if (standalone) {
        await adapter.stop();
        await standalone.cleanup();
      }
      await app?.cleanup();
      await fake.close();
      await site.close();
    },
  };
}
