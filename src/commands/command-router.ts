import { NewsrelayError } from '../errors.ts';
import { hasKey, t } from '../i18n/i18n.ts';
import { decodeAction } from './command-actions.ts';
import type { CommandContext, CommandDeps } from './command-context.ts';
import { digestCommand, headlinesCommand, helpCommand, startCommand } from './news-commands.ts';
import { type Reply, textReply } from './reply.ts';
import {
  filterCommand,
  langCommand,
  pauseCommand,
  scriptCommand,
  timeCommand,
  timezoneCommand,
} from './settings-commands.ts';
import {
  exportCommand,
  importOpml,
  instantCommand,
  listCommand,
  removeSubscription,
  sourcesCommand,
  subscribeCommand,
  subscribeSource,
  unsubscribeCommand,
} from './subscription-commands.ts';

type Handler = (deps: CommandDeps, ctx: CommandContext, args: string) => Promise<Reply> | Reply;

/** Commands that change settings: only chat administrators may run them in groups and channels. */
export const MANAGE_COMMANDS = new Set([
  'subscribe',
  'unsubscribe',
  'time',
  'timezone',
  'pause',
  'resume',
  'script',
  'filter',
  'instant',
  'lang',
  'import',
]);

const HANDLERS: Record<string, Handler> = {
  start: (_d, c) => startCommand(c),
  help: (_d, c) => helpCommand(c),
  sources: (d, c) => sourcesCommand(d, c),
  subscribe: subscribeCommand,
  unsubscribe: unsubscribeCommand,
  list: (d, c) => listCommand(d, c),
  digest: (d, c) => digestCommand(d, c),
  time: timeCommand,
  timezone: timezoneCommand,
  pause: (d, c) => pauseCommand(d, c, true),
  resume: (d, c) => pauseCommand(d, c, false),
  script: scriptCommand,
  filter: filterCommand,
  instant: instantCommand,
  lang: langCommand,
  headlines: (d, c, a) => headlinesCommand(d, c, a, false),
  search: (d, c, a) => headlinesCommand(d, c, a, true),
  export: (d, c) => exportCommand(d, c),
};

/** True for a command name this router knows. */
export function isCommand(name: string): boolean {
  return name in HANDLERS;
}

/** The sentence for an error in the user's language (unknown errors get a generic one). */
export function errorReply(ctx: CommandContext, err: unknown): Reply {
  const key = err instanceof NewsrelayError ? `error.${err.code}` : 'error.internal';
  return textReply(t(ctx.chat.locale, hasKey(key) ? key : 'error.internal'));
}

/**
 * The platform-neutral command entry point: runs `name` with `args` for `ctx`, checks the right
 * to change settings, and turns every failure into a reply in the chat's language.
 */
export async function runCommand(
  deps: CommandDeps,
  ctx: CommandContext,
  name: string,
  args: string,
): Promise<Reply> {
  const handler = HANDLERS[name];
  if (!handler) return textReply(t(ctx.chat.locale, 'unknown.command'));
  if (MANAGE_COMMANDS.has(name) && !ctx.canManage) return textReply(t(ctx.chat.locale, 'admin.only'));
  try {
    return await handler(deps, ctx, args.slice(0, 1000));
  } catch (err) {
    return errorReply(ctx, err);
  }
}

/** A button press (callback data from a reply's buttons). */
export async function runAction(deps: CommandDeps, ctx: CommandContext, data: string): Promise<Reply | null> {
  const action = decodeAction(data);
  if (!action) return null;
  try {
    if (action.kind === 'sources') return { ...(await sourcesCommand(deps, ctx, action.page)), edit: true };
    if (!ctx.canManage) return textReply(t(ctx.chat.locale, 'admin.only'));
    if (action.kind === 'unsubscribe') return await removeSubscription(deps, ctx, action.subscriptionId);
    const source = await deps.sources.get(action.sourceId);
    if (!source) return textReply(t(ctx.chat.locale, 'error.not_found'));
    return await subscribeSource(deps, ctx, source);
  } catch (err) {
    return errorReply(ctx, err);
  }
}

/** An OPML document sent to the chat. */
export async function runImport(deps: CommandDeps, ctx: CommandContext, data: Buffer): Promise<Reply> {
  if (!ctx.canManage) return textReply(t(ctx.chat.locale, 'admin.only'));
  try {
    return await importOpml(deps, ctx, data);
  } catch (err) {
    return errorReply(ctx, err);
  }
}
