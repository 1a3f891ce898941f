import { UserError } from '../errors.ts';
import { decodeAction, isPageAction } from './command-actions.ts';
import {
  type CommandContext,
  type CommandServices,
  guarded,
  requireManager,
  say,
} from './command-context.ts';
import {
  digestCommand,
  headlinesCommand,
  headlinesPage,
  helpCommand,
  startCommand,
} from './news-commands.ts';
import { type Reply, textReply } from './reply.ts';
import {
  langCommand,
  pauseCommand,
  scriptCommand,
  settingsTextCommand,
  timeCommand,
  timezoneCommand,
} from './settings-commands.ts';
import { storyCommand } from './story-commands.ts';
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
import {
  filterTextCommand,
  muteCommand,
  renameTextCommand,
  subTextCommand,
} from './subscription-settings-commands.ts';

type Handler = (services: CommandServices, ctx: CommandContext, args: string) => Promise<Reply> | Reply;

/** Headlines per page where commands are typed as text. */
const TEXT_PAGE_SIZE = 10;

/**
 * Commands that change a chat: in groups and channels the adapter must check the actor's rights
 * before the command runs (the handlers check `canManage` again).
 */
export const MANAGE_COMMANDS: ReadonlySet<string> = new Set([
  'subscribe',
  'unsubscribe',
  'time',
  'timezone',
  'pause',
  'resume',
  'script',
  'filter',
  'rename',
  'mute',
  'unmute',
  'instant',
  'lang',
  'import',
  'settings',
  'sub',
]);

const HANDLERS: Record<string, Handler> = {
  start: (_s, c) => startCommand(c),
  help: (_s, c) => helpCommand(c),
  sources: (s, c) => sourcesCommand(s, c),
  subscribe: (s, c, a) => subscribeCommand(s, c, a, { allowKeyword: true }),
  unsubscribe: unsubscribeCommand,
  list: (s, c) => listCommand(s, c),
  digest: (s, c) => digestCommand(s, c),
  time: timeCommand,
  timezone: timezoneCommand,
  pause: (s, c) => pauseCommand(s, c, true),
  resume: (s, c) => pauseCommand(s, c, false),
  script: scriptCommand,
  filter: filterTextCommand,
  rename: renameTextCommand,
  mute: (s, c, a) => muteCommand(s, c, a, true),
  unmute: (s, c, a) => muteCommand(s, c, a, false),
  instant: instantCommand,
  lang: langCommand,
  headlines: (s, c, a) =>
    headlinesCommand(s, c, { query: a || null, source: null, since: null, limit: TEXT_PAGE_SIZE }, false),
  search: (s, c, a) =>
    headlinesCommand(s, c, { query: a || null, source: null, since: null, limit: TEXT_PAGE_SIZE }, true),
  export: (s, c) => exportCommand(s, c),
  settings: settingsTextCommand,
  sub: subTextCommand,
  story: storyCommand,
};

/** True for a command name this router knows. */
export function isCommand(name: string): boolean {
  return Object.hasOwn(HANDLERS, name);
}

/**
 * The entry point of commands typed as text (`/name args`): runs `name` for `ctx` and turns every
 * failure into a reply in the asker's language.
 */
export async function runCommand(
  services: CommandServices,
  ctx: CommandContext,
  name: string,
  args: string,
): Promise<Reply> {
  const handler = isCommand(name) ? HANDLERS[name] : undefined;
  if (!handler) return textReply(say(ctx, 'unknown.command'));
  return guarded(services, ctx, () => handler(services, ctx, args.slice(0, 1000)));
}

/**
 * A button press (an action from a reply's buttons); null when the data is not an action (old
 * buttons, forged data). Result pages whose long query expired answer so.
 */
export async function runAction(
  services: CommandServices,
  ctx: CommandContext,
  data: string,
): Promise<Reply | null> {
  const action = decodeAction(data);
  if (!action) return isPageAction(data) ? { ...textReply(say(ctx, 'page.expired')), private: true } : null;
  return guarded(services, ctx, async () => {
    switch (action.kind) {
      case 'noop':
        return { lines: [], edit: true };
      case 'sources':
        return { ...(await sourcesCommand(services, ctx, action.page)), edit: true };
      case 'page':
        return { ...(await headlinesPage(services, ctx, action.state)), edit: true };
      case 'story':
        return storyCommand(services, ctx, action.articleId);
      case 'unsubscribe':
        return removeSubscription(services, ctx, action.subscriptionId);
      case 'subscribe': {
        requireManager(ctx);
        const source = await services.sources.get(action.sourceId);
        if (!source) throw new UserError('source.unknown', { source: action.sourceId });
        return subscribeSource(services, ctx, source);
      }
    }
  });
}

/** An OPML document sent to the chat. */
export async function runImport(
  services: CommandServices,
  ctx: CommandContext,
  data: Buffer,
): Promise<Reply> {
  return guarded(services, ctx, () => importOpml(services, ctx, data));
}
