import { CHAT_LIMITS } from '../chats/chat-rules.ts';
import type { SubscribeResult } from '../chats/chat-service.ts';
import type { Chat, Source, Subscription } from '../domain/types.ts';
import { NewsrelayError, UserError } from '../errors.ts';
import { scriptName } from '../i18n/i18n.ts';
import { HeadlinesService } from '../search/headlines-service.ts';
import { failureText } from '../sources/failure-kind.ts';
import { type OpmlFeed, parseOpml, toOpml } from '../sources/opml.ts';
import { displayUrl } from '../sources/url-redaction.ts';
import { queryTerms } from '../text/index-terms.ts';
import { encodeAction } from './command-actions.ts';
import { type CommandContext, type CommandServices, requireManager, say } from './command-context.ts';
import { type Reply, type Span, textReply } from './reply.ts';
import { filtersText, formatName, itemsLine } from './settings-commands.ts';
import { healthText, sourcesById, visibleSources } from './source-visibility.ts';
import { findSubscription } from './subscription-ref.ts';

const PAGE = 8;

/**
 * `/sources` — a page of the sources this chat may see (those it follows or added, public ones) as
 * buttons; a tap subscribes.
 */
export async function sourcesCommand(
  services: CommandServices,
  ctx: CommandContext,
  page = 0,
): Promise<Reply> {
  const all = (await visibleSources(services, ctx)).filter((s) => !s.health.disabledAt);
  if (all.length === 0) return textReply(say(ctx, 'sources.none'));
  const pages = Math.ceil(all.length / PAGE);
  const p = Math.min(Math.max(0, page), pages - 1);
  const subscribed = new Set(ctx.chat.subscriptions.map((s) => s.sourceId));
  const buttons = all.slice(p * PAGE, (p + 1) * PAGE).map((s) => [
    {
      label: `${subscribed.has(s.id) ? '✓ ' : ''}${s.name}`.slice(0, 60),
      action: encodeAction({ kind: 'subscribe', sourceId: s.id }),
    },
  ]);
  const nav = [];
  if (p > 0)
    nav.push({ label: say(ctx, 'sources.prev'), action: encodeAction({ kind: 'sources', page: p - 1 }) });
  if (p < pages - 1)
    nav.push({ label: say(ctx, 'sources.next'), action: encodeAction({ kind: 'sources', page: p + 1 }) });
  if (nav.length > 0) buttons.push(nav);
  return { ...textReply(say(ctx, 'sources.title', { page: p + 1, pages })), buttons };
}

function subscribedReply(ctx: CommandContext, source: Source, res: SubscribeResult, isNew: boolean): Reply {
  if (ctx.target) {
    const params = { source: source.name, channel: ctx.target };
    if (res.status === 'already') return { ...textReply(say(ctx, 'feed.exists', params)), private: true };
    const mode = say(ctx, res.subscription.instant ? 'feed.modeInstant' : 'feed.modeDigest');
    return { ...textReply(say(ctx, 'feed.added', { ...params, mode })), private: true };
  }
  if (res.status === 'already') return textReply(say(ctx, 'subscribe.already', { name: source.name }));
  const topic = ctx.threadId ? say(ctx, 'subscribe.topic') : '';
  return textReply(
    say(ctx, isNew ? 'subscribe.newSource' : 'subscribe.source', { name: source.name }) + topic,
  );
}

/** Subscribe the target chat to a known source (a `/sources` button, OPML import). */
export async function subscribeSource(
  services: CommandServices,
  ctx: CommandContext,
  source: Source,
  opts: { instant?: boolean; isNew?: boolean } = {},
): Promise<Reply> {
  requireManager(ctx);
  const res = await services.chats.subscribe(
    ctx.chat.key,
    { sourceId: source.id },
    { ...(opts.instant === undefined ? {} : { instant: opts.instant }), threadId: ctx.threadId },
  );
  ctx.chat = res.chat;
  return subscribedReply(ctx, source, res, opts.isNew ?? false);
}

/** Is `text` a feed URL to add rather than a name? */
const isUrl = (text: string) => /^https?:\/\//i.test(text);

/**
 * `/subscribe <source name | feed URL | keyword>` (Telegram) and `/feed add` (Discord, sources
 * only): a new URL is validated and added like `newsrelay sources add`; the subscription cap is
 * checked before anything is stored. `instant` sets the delivery mode (Discord's `mode` option).
 */
export async function subscribeCommand(
  services: CommandServices,
  ctx: CommandContext,
  ref: string,
  opts: { instant?: boolean; allowKeyword: boolean },
): Promise<Reply> {
  requireManager(ctx);
  const arg = ref.trim();
  if (!arg) throw new UserError('subscribe.usage');
  const found = await services.sources.find(arg);
  const already = found && ctx.chat.subscriptions.some((s) => s.kind === 'source' && s.sourceId === found.id);
  if (!already) services.chats.assertCanSubscribe(ctx.chat);
  if (found) return withRetry(services, ctx, found, () => subscribeSource(services, ctx, found, opts));
  if (isUrl(arg)) {
    const added = await services.sources.add(arg, { owner: ctx.chat.key, addedBy: ctx.actor ?? null });
    const subscribe = () => subscribeSource(services, ctx, added.source, { ...opts, isNew: !added.existed });
    return withRetry(services, ctx, added.source, subscribe);
  }
  if (!opts.allowKeyword) throw new UserError('source.unknown', { source: arg.slice(0, 100) });
  let keyword: string;
  try {
    keyword = HeadlinesService.checkQuery(arg);
  } catch {
    throw new UserError('subscribe.usage');
  }
  if ([...keyword].length > CHAT_LIMITS.wordChars || queryTerms(keyword).length === 0)
    throw new UserError('subscribe.usage');
  const res = await services.chats.subscribe(ctx.chat.key, { keyword }, { threadId: ctx.threadId });
  ctx.chat = res.chat;
  if (res.status === 'already') return textReply(say(ctx, 'subscribe.already', { name: keyword }));
  return textReply(say(ctx, 'subscribe.keyword', { keyword }));
}

/**
 * Subscribing to a disabled source retries it at once (before subscribing, so the chats told it
 * is back are the others): the reply says whether it works again or still fails, and why.
 */
async function withRetry(
  services: CommandServices,
  ctx: CommandContext,
  source: Source,
  subscribe: () => Promise<Reply>,
): Promise<Reply> {
  const outcome = source.health.disabledAt ? await services.sources.retry(source.id) : null;
  const reply = await subscribe();
  if (!outcome) return reply;
  const note =
    outcome.status === 'ok' || outcome.status === 'not_modified'
      ? say(ctx, 'sourceRetry.back')
      : say(ctx, 'sourceRetry.still', {
          reason: failureText(ctx.locale, outcome.failureKind ?? source.health.disabledKind),
        });
  return { ...reply, lines: [...reply.lines, [{ text: note }]] };
}

/** How a subscription is shown: the chat's own name for it, the source's name, or the keyword. */
export async function subscriptionName(
  services: CommandServices,
  ctx: CommandContext,
  s: Subscription,
): Promise<string> {
  if (s.name) return s.name;
  if (s.kind === 'keyword') return say(ctx, 'list.keyword', { keyword: s.keyword ?? '' });
  return (s.sourceId && (await services.sources.get(s.sourceId))?.name) || (s.sourceId ?? '?');
}

function removedReply(ctx: CommandContext, name: string, removed: boolean): Reply {
  if (ctx.target) {
    const params = { source: name, channel: ctx.target };
    return { ...textReply(say(ctx, removed ? 'feed.removed' : 'feed.missing', params)), private: true };
  }
  return textReply(say(ctx, removed ? 'unsubscribe.done' : 'unsubscribe.notFound', { name }));
}

/** Remove one subscription by id (an unsubscribe button). */
export async function removeSubscription(
  services: CommandServices,
  ctx: CommandContext,
  subscriptionId: string,
): Promise<Reply> {
  requireManager(ctx);
  const sub = ctx.chat.subscriptions.find((s) => s.id === subscriptionId);
  if (!sub) return removedReply(ctx, '', false);
  const name = await subscriptionName(services, ctx, sub);
  await services.chats.unsubscribe(ctx.chat.key, subscriptionId);
  return removedReply(ctx, name, true);
}

/**
 * `/unsubscribe [name]` (Telegram) and `/feed remove` (Discord): without an argument, buttons of the
 * current subscriptions; with one, removes the subscription it names (its own name, source name, id
 * or URL, or the keyword).
 */
export async function unsubscribeCommand(
  services: CommandServices,
  ctx: CommandContext,
  ref: string,
): Promise<Reply> {
  requireManager(ctx);
  const arg = ref.trim();
  if (!arg) {
    if (ctx.chat.subscriptions.length === 0) return textReply(say(ctx, 'unsubscribe.none'));
    const buttons = await Promise.all(
      ctx.chat.subscriptions.map(async (s) => [
        {
          label: `✕ ${await subscriptionName(services, ctx, s)}`.slice(0, 60),
          action: encodeAction({ kind: 'unsubscribe', subscriptionId: s.id }),
        },
      ]),
    );
    return { ...textReply(say(ctx, 'unsubscribe.pick')), buttons };
  }
  const sub = await findSubscription(services, ctx.chat, arg);
  if (!sub) {
    const source = await services.sources.find(arg);
    return removedReply(ctx, (source?.name ?? arg).slice(0, 100), false);
  }
  return removeSubscription(services, ctx, sub.id);
}

/** A subscription's own filters for a list line (` — filters: +a -b`), or ''. */
function subFilters(ctx: CommandContext, s: Subscription): string {
  const f = filtersText(s);
  return f ? say(ctx, 'list.subFilters', { filters: f }) : '';
}

/** A subscription's own item format as a list mark; nothing when it follows the chat's. */
function subFormat(ctx: CommandContext, s: Subscription): string {
  return s.format ? say(ctx, 'list.subFormat', { format: formatName(ctx, s.format) }) : '';
}

/** What a list line adds after a subscription's name: instant, muted, its own filters and format. */
function marks(ctx: CommandContext, s: Subscription): string {
  return `${s.instant ? say(ctx, 'list.instant') : ''}${s.muted ? say(ctx, 'list.muted') : ''}${subFilters(ctx, s)}${subFormat(ctx, s)}`;
}

/** ` · <health>` after a source subscription's line; '' for keywords and unknown sources. */
function healthMark(ctx: CommandContext, sources: ReadonlyMap<string, Source>, s: Subscription): string {
  const source = s.kind === 'source' && s.sourceId ? sources.get(s.sourceId) : undefined;
  return source ? ` · ${healthText(ctx, source, ctx.chat.timezone)}` : '';
}

/** Ids of the sources a chat's subscriptions follow. */
const sourceIdsOf = (c: Chat) =>
  c.subscriptions.flatMap((s) => (s.kind === 'source' && s.sourceId ? [s.sourceId] : []));

/** `/list` — subscriptions with their sources' health, and settings. */
export async function listCommand(services: CommandServices, ctx: CommandContext): Promise<Reply> {
  const c = ctx.chat;
  const lines: Span[][] = [];
  if (c.subscriptions.length === 0) lines.push([{ text: say(ctx, 'list.none') }]);
  else {
    lines.push([{ text: say(ctx, 'list.title'), bold: true }]);
    const sources = await sourcesById(services, sourceIdsOf(c));
    for (const s of c.subscriptions) {
      const known = s.kind === 'source' && !s.name && s.sourceId ? sources.get(s.sourceId) : undefined;
      const name = known?.name ?? (await subscriptionName(services, ctx, s));
      lines.push([{ text: `• ${name}${marks(ctx, s)}${healthMark(ctx, sources, s)}` }]);
    }
  }
  lines.push([
    {
      text: say(ctx, 'list.settings', {
        times: c.digestTimes.join(', ') || '—',
        timezone: c.timezone,
        paused: c.paused ? say(ctx, 'list.paused') : '',
        script: scriptName(ctx.locale, c.script),
        locale: c.locale,
      }),
    },
  ]);
  const f = filtersText(c);
  if (f) lines.push([{ text: say(ctx, 'list.filters', { filters: f }) }]);
  // Shown once a chat chose more than the plain titles-only items.
  if ((c.itemFormat ?? 'titles') !== 'titles' || c.linkPreviews) lines.push([{ text: itemsLine(ctx, c) }]);
  return { lines };
}

/**
 * `/feed list [channel]` (Discord): the source subscriptions of every chat that follows
 * `parentKey` (a guild's channels) under their names, paused channels and muted feeds marked, with
 * filters and each source's health; `label` names a chat as the platform links it.
 */
export async function feedListCommand(
  services: CommandServices,
  ctx: CommandContext,
  opts: { parentKey: string; onlyChatId: string | null; label: (chat: Chat) => string },
): Promise<Reply> {
  requireManager(ctx);
  const chats = (await services.chats.children(opts.parentKey)).filter(
    (c) => c.subscriptions.length > 0 && (!opts.onlyChatId || c.chatId === opts.onlyChatId),
  );
  if (chats.length === 0) return { ...textReply(say(ctx, 'feed.listEmpty')), private: true };
  const sources = await sourcesById(services, chats.flatMap(sourceIdsOf));
  const lines = chats.map((c): Span[] => {
    const subs = c.subscriptions
      .filter((s) => s.kind === 'source' && s.sourceId)
      .map((s) => {
        const mode = say(ctx, s.instant ? 'feed.modeInstant' : 'feed.modeDigest');
        const name = s.name ?? sources.get(s.sourceId!)?.name ?? s.sourceId!;
        return `${name} (${mode})${s.muted ? say(ctx, 'list.muted') : ''}${subFilters(ctx, s)}${subFormat(ctx, s)}${healthMark(ctx, sources, s)}`;
      });
    const paused = c.active ? '' : say(ctx, 'feed.paused', { reason: c.deactivatedReason ?? '' });
    const f = filtersText(c);
    const filters = f ? ` · ${say(ctx, 'list.filters', { filters: f })}` : '';
    return [{ text: `${opts.label(c)}${paused}: ${subs.join('、')}${filters}` }];
  });
  return { title: say(ctx, 'feed.listTitle'), lines, private: true };
}

/** `/instant <source> on|off` (the source may be left out when there is only one). */
export async function instantCommand(
  services: CommandServices,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  requireManager(ctx);
  const m = /^(.*?)\s*\b(on|off)$/i.exec(args.trim());
  if (!m) throw new UserError('instant.usage');
  const on = m[2]!.toLowerCase() === 'on';
  const name = m[1]!.trim();
  const sourceSubs = ctx.chat.subscriptions.filter((s) => s.kind === 'source');
  let target: Subscription | undefined;
  if (!name && sourceSubs.length === 1) target = sourceSubs[0];
  else if (name) {
    const found = await findSubscription(services, ctx.chat, name);
    target = found?.kind === 'source' ? found : undefined;
  }
  if (!target) {
    if (!name) throw new UserError('instant.usage');
    return textReply(say(ctx, 'unsubscribe.notFound', { name: name.slice(0, 60) }));
  }
  ctx.chat = await services.chats.setInstant(ctx.chat.key, target.id, on);
  return textReply(
    say(ctx, 'instant.set', {
      name: await subscriptionName(services, ctx, target),
      state: say(ctx, on ? 'instant.on' : 'instant.off'),
    }),
  );
}

/**
 * `/export` — the chat's source subscriptions as an OPML file. A URL's secrets (tokens, keys,
 * credentials) stay in it only for the chat that added the source.
 */
export async function exportCommand(services: CommandServices, ctx: CommandContext): Promise<Reply> {
  const sources = [];
  for (const s of ctx.chat.subscriptions) {
    const src = s.kind === 'source' && s.sourceId ? await services.sources.get(s.sourceId) : null;
    if (!src) continue;
    const own = (await services.sources.owners(src.id)).includes(ctx.chat.key);
    sources.push({ url: own ? src.url : displayUrl(src.url), title: src.name });
  }
  if (sources.length === 0) return textReply(say(ctx, 'export.none'));
  const xml = toOpml(`NewsRelay ${ctx.chat.title ?? ctx.chat.chatId}`, sources);
  return {
    ...textReply(say(ctx, 'export.caption')),
    file: { name: 'newsrelay-subscriptions.opml', mime: 'text/x-opml', data: Buffer.from(xml) },
  };
}

/** An OPML file sent to the bot: each feed is added (validated by fetching) and subscribed. */
export async function importOpml(
  services: CommandServices,
  ctx: CommandContext,
  data: Buffer,
): Promise<Reply> {
  requireManager(ctx);
  if (data.length > CHAT_LIMITS.opmlBytes)
    throw new UserError('import.tooLarge', { max: CHAT_LIMITS.opmlBytes / 1024 });
  let feeds: OpmlFeed[];
  try {
    feeds = parseOpml(data.toString('utf8'));
  } catch (err) {
    if (err instanceof NewsrelayError) throw new UserError('import.invalid');
    throw err;
  }
  let added = 0;
  let failed = 0;
  for (const f of feeds.slice(0, CHAT_LIMITS.opmlItems)) {
    try {
      services.chats.assertCanSubscribe(ctx.chat);
      const res = await services.sources.add(f.url, {
        owner: ctx.chat.key,
        addedBy: ctx.actor ?? null,
        ...(f.title ? { name: f.title } : {}),
      });
      if (!ctx.chat.subscriptions.some((s) => s.sourceId === res.source.id)) {
        await subscribeSource(services, ctx, res.source);
        added++;
      }
    } catch {
      failed++;
    }
  }
  failed += Math.max(0, feeds.length - CHAT_LIMITS.opmlItems);
  return textReply(say(ctx, 'import.done', { added, failed }));
}
