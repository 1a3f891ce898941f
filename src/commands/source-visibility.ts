import type { Chat, Source } from '../domain/types.ts';
import { formatLocalTime } from '../i18n/format-time.ts';
import { failureText } from '../sources/failure-kind.ts';
import { type CommandContext, type CommandServices, say } from './command-context.ts';

/**
 * The chats whose subscriptions make a source visible to `chat`: itself, and the other channels
 * of its Discord guild (a guild's /sources lists what any of its channels follows).
 */
async function family(services: CommandServices, chat: Chat): Promise<Chat[]> {
  const parent = chat.type === 'guild' ? chat.key : chat.parentKey;
  if (!parent) return [chat];
  const children = await services.chats.children(parent);
  return [chat, ...children.filter((c) => c.key !== chat.key)];
}

/** The chat keys and followed source ids of `chat` with its guild's channels. */
async function followed(
  services: CommandServices,
  chat: Chat,
): Promise<{ keys: string[]; ids: Set<string> }> {
  const chats = await family(services, chat);
  const ids = new Set<string>();
  for (const c of chats)
    for (const s of c.subscriptions) if (s.kind === 'source' && s.sourceId) ids.add(s.sourceId);
  return { keys: chats.map((c) => c.key), ids };
}

/**
 * The sources `ctx`'s chat may see: those it (or its guild's channels) follows or added, and those
 * the operator made public. Sources stay private to the chats that added and follow them.
 */
export async function visibleSources(services: CommandServices, ctx: CommandContext): Promise<Source[]> {
  const f = await followed(services, ctx.chat);
  return services.sources.visibleTo(f.keys, f.ids);
}

/** Longest failure text in a health line. */
const REASON_CHARS = 120;

/**
 * A source's health in the asker's language: ok, not fetched yet, failing N times (and why), or
 * disabled since when (and why). The reason is the kind of failure, never the raw error, which
 * can carry the URL.
 */
export function healthText(ctx: Pick<CommandContext, 'locale'>, source: Source, timezone: string): string {
  const h = source.health;
  const reason = (kind: string | null | undefined) => failureText(ctx.locale, kind).slice(0, REASON_CHARS);
  if (h.disabledAt)
    return say(ctx, 'sourceHealth.disabled', {
      time: formatLocalTime(h.disabledAt.getTime(), timezone),
      reason: reason(h.disabledKind ?? h.lastErrorKind),
    });
  if (h.failures > 0)
    return say(ctx, 'sourceHealth.failing', { failures: h.failures, reason: reason(h.lastErrorKind) });
  if (!h.lastSuccessAt) return say(ctx, 'sourceHealth.never');
  return say(ctx, 'sourceHealth.ok');
}

/** The sources of `ids` that exist, by id (one read each; a chat has a bounded number). */
export async function sourcesById(
  services: CommandServices,
  ids: Iterable<string>,
): Promise<Map<string, Source>> {
  const out = new Map<string, Source>();
  for (const id of new Set(ids)) {
    const s = await services.sources.get(id);
    if (s) out.set(id, s);
  }
  return out;
}
