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

/** Interactions being answered at once above which new ones are deferred before any work. */
const BUSY_IN_FLIGHT = 8;

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
  // Under a burst, CPU-bound queries can hold the event loop past the defer timer: defer at once.
  let inFlight = 0;
  const run = async (
    i: ChatInputCommandInteraction | ButtonInteraction,
    handler: () => Promise<Reply>,
    ephemeralDefer = false,
  ) => {
    const locale = localeFromDiscord(i.locale);
    inFlight++;
    try {
      await answer(
        i,
        async () => {
          try {
            return await handler();
          } catch (err) {
            return errorReply(err, locale, deps.log);
          }
        },
        { ephemeralDefer, deferNow: inFlight > BUSY_IN_FLIGHT },
      );
    } catch (err) {
      // The answer itself failed (interaction expired, Discord down): nothing more can be said.
      deps.log.warn(
        { err: redactSecrets(String(err)), command: i.isButton() ? 'button' : i.commandName },
        'discord answer failed',
      );
    } finally {
      inFlight--;
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
