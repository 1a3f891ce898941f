import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Interaction,
} from 'discord.js';
import type { Locale } from '../../src/domain/types.ts';
import { NewsrelayError } from '../../src/errors.ts';
import { hasKey, t } from '../../src/i18n/i18n.ts';
import type { Logger } from '../../src/log.ts';
import { redactSecrets } from '../../src/log.ts';
import { localeFromDiscord } from './discord-locale.ts';
import { dt } from './discord-strings.ts';
import { type AdminDeps, feedAdd, feedList, feedRemove } from './feed-commands.ts';
import { answer, type Reply, send } from './interaction-reply.ts';
import { decodePage, isPageId } from './pagination.ts';
import {
  articleCommand,
  headlinesCommand,
  type QueryDeps,
  renderPage,
  searchCommand,
  sourceChoices,
  sourcesCommand,
} from './query-commands.ts';
import { settingsCommand, timezoneChoices } from './settings-command.ts';
import { UserFacingError } from './user-error.ts';

/** What the router needs: the query and admin dependencies and a logger. */
export interface RouterDeps extends QueryDeps, AdminDeps {
  log: Logger;
}

/** Interactions whose work runs at once; more are deferred first and wait for a slot. */
export const MAX_CONCURRENT_WORK = 4;

/**
 * Admission of interaction work. Queries are CPU-bound on the one event loop, and a deferral's
 * HTTP round trip needs several turns of that loop: with a whole burst's queries running, every
 * turn carries their CPU and the deferrals reach Discord after its 3-second window. So at most
 * `size` works run at once, and while any deferral is still on its way no queued work starts:
 * acknowledgements go first, answers follow.
 */
export class WorkQueue {
  private running = 0;
  private acking = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  /**
   * Whether anything else is in progress, so the interaction should be deferred first: only one
   * arriving into an idle router may try to answer within the window without deferring (under
   * a burst, a running query's late deferral was the one that missed the window).
   */
  get busy(): boolean {
    return this.running > 0 || this.waiting.length > 0 || this.acking > 0;
  }

  /** A deferral was sent; `settle` when it is acknowledged or failed (idempotent). */
  acknowledging(): () => void {
    this.acking++;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.acking--;
      this.pump();
    };
  }

  /** Run `fn` when a slot is free and no deferral is pending. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < this.size && this.waiting.length === 0 && this.acking === 0) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      this.running--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.acking === 0 && this.running < this.size && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()?.();
    }
  }
}

/** The localised, ephemeral answer to a failure; unexpected errors are logged (secret-free). */
export function errorReply(err: unknown, locale: Locale, log: Logger): Reply {
  if (err instanceof UserFacingError) return { content: dt(locale, err.key, err.params), ephemeral: true };
  if (err instanceof NewsrelayError) {
    if (err.code === 'not_found' && typeof err.params.source === 'string') {
      return { content: dt(locale, 'unknownSource', { source: err.params.source }), ephemeral: true };
    }
    const key = `error.${err.code}`;
    if (hasKey(key)) return { content: t(locale, key, err.params), ephemeral: true };
  }
  log.error(
    { err: redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err)) },
    'discord command failed',
  );
  return { content: dt(locale, 'failed'), ephemeral: true };
}

/**
 * Turns interactions into command calls: slash commands, Previous/Next buttons and autocomplete.
 * Every command is answered through {@link answer} (deferred when it runs long); failures become
 * localised ephemeral replies.
 */
export function createInteractionRouter(deps: RouterDeps): (i: Interaction) => Promise<void> {
  const queue = new WorkQueue(MAX_CONCURRENT_WORK);
  const run = async (
    i: ChatInputCommandInteraction | ButtonInteraction,
    handler: () => Promise<Reply>,
    ephemeralDefer = false,
  ) => {
    const locale = localeFromDiscord(i.locale);
    // Busy: acknowledge first (answer calls the work only once the deferral is accepted), then queue.
    const deferFirst = queue.busy;
    const acknowledged = deferFirst ? queue.acknowledging() : () => {};
    try {
      await answer(
        i,
        () => {
          acknowledged();
          return queue.run(async () => {
            try {
              return await handler();
            } catch (err) {
              return errorReply(err, locale, deps.log);
            }
          });
        },
        { ephemeralDefer, deferFirst },
      );
    } catch (err) {
      // The answer itself failed (interaction expired, Discord down): nothing more can be said.
      deps.log.warn(
        { err: redactSecrets(String(err)), command: i.isButton() ? 'button' : i.commandName },
        'discord answer failed',
      );
    } finally {
      acknowledged();
    }
  };

  const settings = (i: ChatInputCommandInteraction) => deps.guilds.get(i.guildId, i.guildLocale);

  const command = async (i: ChatInputCommandInteraction) => {
    switch (i.commandName) {
      case 'headlines':
        return run(i, async () => headlinesCommand(deps, i, await settings(i)));
      case 'search':
        return run(i, async () => searchCommand(deps, i, await settings(i)));
      case 'sources':
        return run(i, async () => sourcesCommand(deps, i, await settings(i)));
      case 'article':
        return run(i, async () => articleCommand(deps, i, await settings(i)));
      case 'feed': {
        const sub = i.options.getSubcommand(false);
        const handler = sub === 'add' ? feedAdd : sub === 'remove' ? feedRemove : feedList;
        return run(i, () => handler(deps, i), true);
      }
      case 'settings':
        return run(i, () => settingsCommand(deps, i), true);
      default:
        return run(i, async () => {
          throw new UserFacingError('failed');
        });
    }
  };

  const button = async (i: ButtonInteraction) => {
    if (!isPageId(i.customId)) return;
    const state = decodePage(i.customId);
    const locale = localeFromDiscord(i.locale);
    if (!state) {
      await send(i, { content: dt(locale, 'pageExpired'), ephemeral: true }, false).catch(() => {});
      return;
    }
    await run(i, async () =>
      renderPage(deps, state, locale, await deps.guilds.get(i.guildId, i.guildLocale)),
    );
  };

  const autocomplete = async (i: AutocompleteInteraction) => {
    const focused = i.options.getFocused(true);
    try {
      const choices =
        focused.name === 'timezone'
          ? timezoneChoices(i)
          : focused.name === 'source'
            ? await sourceChoices(deps.core, i)
            : [];
      await i.respond(choices);
    } catch (err) {
      deps.log.debug({ err: redactSecrets(String(err)) }, 'autocomplete failed');
      await i.respond([]).catch(() => {});
    }
  };

  return async (i: Interaction) => {
    if (i.isChatInputCommand()) return command(i);
    if (i.isButton()) return button(i);
    if (i.isAutocomplete()) return autocomplete(i);
  };
}
