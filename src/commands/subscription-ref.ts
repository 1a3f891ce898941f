/**
 * How people name one of a chat's subscriptions in a command: by the name the chat gave it
 * (`/rename`), the source's name, the keyword, the source's id or its feed URL — compared like
 * filters (any script, width or case; invisible characters ignored).
 */
import type { Chat, Subscription } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { filterText } from '../text/filter-match.ts';
import type { CommandContext, CommandServices } from './command-context.ts';

/** Most words of a name that a command may begin with (`/rename <name> <new name>`). */
const MAX_NAME_WORDS = 12;

/** Longest reference shown back in a "not found" answer. */
const SHOWN_CHARS = 60;

/**
 * The chat's subscriptions by every name they answer to, as compared (filterText). Earlier kinds
 * of name win when two subscriptions share one: own names, then source names and keywords, then ids.
 */
async function namesTable(
  services: Pick<CommandServices, 'headlines'>,
  chat: Chat,
): Promise<Map<string, Subscription>> {
  const ids = chat.subscriptions.flatMap((s) => (s.sourceId ? [s.sourceId] : []));
  const sourceNames = ids.length > 0 ? await services.headlines.sourceNames(ids) : new Map<string, string>();
  const table = new Map<string, Subscription>();
  const put = (name: string | null | undefined, s: Subscription) => {
    const key = name ? filterText(name) : '';
    if (key && !table.has(key)) table.set(key, s);
  };
  for (const s of chat.subscriptions) put(s.name, s);
  for (const s of chat.subscriptions)
    put(s.kind === 'keyword' ? s.keyword : s.sourceId && sourceNames.get(s.sourceId), s);
  for (const s of chat.subscriptions) put(s.sourceId, s);
  return table;
}

/** The subscription of `chat` to the source `ref` names as `find` knows it (a feed URL). */
async function bySource(
  services: Pick<CommandServices, 'sources'>,
  chat: Chat,
  ref: string,
): Promise<Subscription | null> {
  const source = await services.sources.find(ref);
  return (source && chat.subscriptions.find((s) => s.kind === 'source' && s.sourceId === source.id)) || null;
}

/** The subscription `ref` names (whole), or null. */
export async function findSubscription(
  services: Pick<CommandServices, 'headlines' | 'sources'>,
  chat: Chat,
  ref: string,
): Promise<Subscription | null> {
  const key = filterText(ref);
  if (!key) return null;
  return (await namesTable(services, chat)).get(key) ?? (await bySource(services, chat, ref.trim()));
}

/**
 * A subscription named at the start of `text` (the longest name that fits, on word boundaries)
 * and what follows it; null when `text` begins with none.
 */
export async function splitSubscriptionRef(
  services: Pick<CommandServices, 'headlines' | 'sources'>,
  chat: Chat,
  text: string,
): Promise<{ subscription: Subscription; rest: string } | null> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const table = await namesTable(services, chat);
  for (let k = Math.min(words.length, MAX_NAME_WORDS); k > 0; k--) {
    const found = table.get(filterText(words.slice(0, k).join(' ')));
    if (found) return { subscription: found, rest: words.slice(k).join(' ') };
  }
  const found = await bySource(services, chat, words[0]!);
  return found ? { subscription: found, rest: words.slice(1).join(' ') } : null;
}

/**
 * The answer when `ref` names none of the chat's subscriptions: the channel's "does not follow"
 * when a command names another chat (Discord's `/feed`), else "no subscription matches". A source
 * known by that id or URL is shown by its name.
 */
export async function subscriptionNotFound(
  services: Pick<CommandServices, 'sources'>,
  ctx: Pick<CommandContext, 'target'>,
  ref: string,
  usage: string | null = null,
): Promise<UserError> {
  const shown = ((await services.sources.find(ref))?.name ?? ref.trim()).slice(0, SHOWN_CHARS);
  if (ctx.target) return new UserError('feed.missing', { source: shown, channel: ctx.target });
  return new UserError('unsubscribe.notFound', { name: shown }, usage);
}
