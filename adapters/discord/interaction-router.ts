import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Interaction,
} from 'discord.js';
import { decodeAction, isPageAction } from '../../src/commands/command-actions.ts';
import { errorReply } from '../../src/commands/command-context.ts';
import { runAction } from '../../src/commands/command-router.ts';
import type { Reply } from '../../src/commands/reply.ts';
import { UserError } from '../../src/errors.ts';
import { redactSecrets } from '../../src/log.ts';
import { sourceChoices, timezoneChoices } from './autocomplete.ts';
import { feedFilter, feedFormat, feedMute, feedRename } from './feed-settings.ts';
import { answer } from './interaction-reply.ts';
import { renderReply } from './reply-renderer.ts';
import {
  article,
  contextFor,
  feedAdd,
  feedList,
  feedRemove,
  headlines,
  replyLocale,
  type SlashDeps,
  search,
  settings,
  sources,
  story,
} from './slash-commands.ts';

type SlashHandler = (deps: SlashDeps, i: ChatInputCommandInteraction) => Promise<Reply>;

/** `/feed` subcommands by name (`list` when none is given). */
const FEED_SUBCOMMANDS: Readonly<Record<string, SlashHandler>> = {
  add: feedAdd,
  remove: feedRemove,
  list: feedList,
  filter: feedFilter,
  rename: feedRename,
  mute: (deps, i) => feedMute(deps, i, true),
  unmute: (deps, i) => feedMute(deps, i, false),
  format: feedFormat,
};

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

/**
 * Turns interactions into command calls: slash commands, Previous/Next buttons and autocomplete.
 * Every command is answered through {@link answer} (deferred when it runs long); failures become
 * localised ephemeral replies.
 */
export function createInteractionRouter(
  deps: SlashDeps,
  observe: { onAnswered?: (ms: number) => void } = {},
): (i: Interaction) => Promise<void> {
  const queue = new WorkQueue(MAX_CONCURRENT_WORK);
  const log = deps.services.log;
  const run = async (
    i: ChatInputCommandInteraction | ButtonInteraction,
    handler: () => Promise<Reply>,
    ephemeralDefer = false,
  ) => {
    const locale = replyLocale(i);
    const arrived = performance.now();
    // Busy: acknowledge first (answer calls the work only once the deferral is accepted), then queue.
    const deferFirst = queue.busy;
    const acknowledged = deferFirst ? queue.acknowledging() : () => {};
    try {
      await answer(
        i,
        () => {
          acknowledged();
          return queue.run(async () => {
            let reply: Reply;
            try {
              reply = await handler();
            } catch (err) {
              reply = errorReply({ locale, syntax: 'options' }, err, log);
            }
            return renderReply(reply, locale);
          });
        },
        { ephemeralDefer, deferFirst },
      );
    } catch (err) {
      // The answer itself failed (interaction expired, Discord down): nothing more can be said.
      log.warn(
        { err: redactSecrets(String(err)), command: i.isButton() ? 'button' : i.commandName },
        'discord answer failed',
      );
    } finally {
      acknowledged();
      observe.onAnswered?.(performance.now() - arrived);
    }
  };

  const command = async (i: ChatInputCommandInteraction) => {
    switch (i.commandName) {
      case 'headlines':
        return run(i, () => headlines(deps, i));
      case 'search':
        return run(i, () => search(deps, i));
      case 'sources':
        return run(i, () => sources(deps, i));
      case 'article':
        return run(i, () => article(deps, i));
      case 'story':
        return run(i, () => story(deps, i));
      case 'feed': {
        const handler = FEED_SUBCOMMANDS[i.options.getSubcommand(false) ?? ''] ?? feedList;
        return run(i, () => handler(deps, i), true);
      }
      case 'settings':
        return run(i, () => settings(deps, i), true);
      default:
        return run(i, async () => {
          throw new UserError('error.internal');
        });
    }
  };

  const button = async (i: ButtonInteraction) => {
    const action = decodeAction(i.customId);
    if (action?.kind === 'noop') {
      await i.deferUpdate().catch(() => {});
      return;
    }
    if (!action && !isPageAction(i.customId)) return; // not one of ours
    await run(i, async () => {
      const ctx = contextFor(i, await deps.guilds.forQuery(i.guildId, i.guildLocale), false, null);
      return (await runAction(deps.services, ctx, i.customId)) ?? { lines: [] };
    });
  };

  const autocomplete = async (i: AutocompleteInteraction) => {
    const focused = i.options.getFocused(true);
    try {
      const choices =
        focused.name === 'timezone'
          ? timezoneChoices(String(focused.value ?? ''))
          : focused.name === 'source'
            ? await sourceChoices(deps.services, String(focused.value ?? ''))
            : [];
      await i.respond(choices);
    } catch (err) {
      log.debug({ err: redactSecrets(String(err)) }, 'autocomplete failed');
      await i.respond([]).catch(() => {});
    }
  };

  return async (i: Interaction) => {
    if (i.isChatInputCommand()) return command(i);
    if (i.isButton()) return button(i);
    if (i.isAutocomplete()) return autocomplete(i);
  };
}
