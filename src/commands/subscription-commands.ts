import { randomUUID } from 'node:crypto';
import type { Chat, Source, Subscription } from '../domain/types.ts';
import { NewsrelayError } from '../errors.ts';
import { t } from '../i18n/i18n.ts';
import { HeadlinesService } from '../search/headlines-service.ts';
import { type OpmlFeed, parseOpml, toOpml } from '../sources/opml.ts';
import { queryTerms } from '../text/index-terms.ts';
import { encodeAction } from './command-actions.ts';
import { type CommandContext, type CommandDeps, LIMITS } from './command-context.ts';
import { type Reply, type Span, textReply } from './reply.ts';
import { changeChat, filtersText, scriptName } from './settings-commands.ts';

const PAGE = 8;
const newId = () => randomUUID().replace(/-/g, '').slice(0, 12);

/** `/sources` — a page of known sources as buttons; a tap subscribes. */
export async function sourcesCommand(deps: CommandDeps, ctx: CommandContext, page = 0): Promise<Reply> {
  const l = ctx.chat.locale;
  const all = (await deps.sources.list()).filter((s) => !s.health.disabledAt);
  if (all.length === 0) return textReply(t(l, 'sources.none'));
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
    nav.push({ label: t(l, 'sources.prev'), action: encodeAction({ kind: 'sources', page: p - 1 }) });
  if (p < pages - 1)
    nav.push({ label: t(l, 'sources.next'), action: encodeAction({ kind: 'sources', page: p + 1 }) });
  if (nav.length > 0) buttons.push(nav);
  return { ...textReply(t(l, 'sources.title', { page: p + 1, pages })), buttons };
}

/** Subscribe the target chat to a known source. */
export async function subscribeSource(
  deps: CommandDeps,
  ctx: CommandContext,
  source: Source,
  isNew = false,
): Promise<Reply> {
  const l = ctx.chat.locale;
  if (ctx.chat.subscriptions.some((s) => s.kind === 'source' && s.sourceId === source.id)) {
    return textReply(t(l, 'subscribe.already', { name: source.name }));
  }
  if (ctx.chat.subscriptions.length >= LIMITS.subscriptions)
    return textReply(t(l, 'subscribe.tooMany', { max: LIMITS.subscriptions }));
  await changeChat(deps, ctx, (c) => {
    c.subscriptions.push(
      newSubscription({ kind: 'source', sourceId: source.id, keyword: null }, ctx.threadId),
    );
  });
  const topic = ctx.threadId ? t(l, 'subscribe.topic') : '';
  return textReply(t(l, isNew ? 'subscribe.newSource' : 'subscribe.source', { name: source.name }) + topic);
}

function newSubscription(
  s: Pick<Subscription, 'kind' | 'sourceId' | 'keyword'>,
  threadId: string | null,
): Subscription {
  return { id: newId(), ...s, instant: false, threadId, createdAt: new Date() };
}

/** `/subscribe <source name | feed URL | keyword>` — a new URL is validated and added like `newsrelay sources add`. */
export async function subscribeCommand(deps: CommandDeps, ctx: CommandContext, args: string): Promise<Reply> {
  const l = ctx.chat.locale;
  const arg = args.trim();
  if (!arg) return textReply(t(l, 'subscribe.usage'));
  if (/^https?:\/\//i.test(arg)) {
    const added = await deps.sourceService.add(arg, { owner: ctx.chat.key });
    return subscribeSource(deps, ctx, added.source, !added.existed);
  }
  const source = await deps.sources.find(arg);
  if (source) return subscribeSource(deps, ctx, source);
  const keyword = HeadlinesService.checkQuery(arg);
  if ([...keyword].length > LIMITS.wordChars || queryTerms(keyword).length === 0)
    return textReply(t(l, 'subscribe.usage'));
  if (ctx.chat.subscriptions.some((s) => s.kind === 'keyword' && s.keyword === keyword)) {
    return textReply(t(l, 'subscribe.already', { name: keyword }));
  }
  if (ctx.chat.subscriptions.length >= LIMITS.subscriptions)
    return textReply(t(l, 'subscribe.tooMany', { max: LIMITS.subscriptions }));
  await changeChat(deps, ctx, (c) => {
    c.subscriptions.push(newSubscription({ kind: 'keyword', sourceId: null, keyword }, ctx.threadId));
  });
  return textReply(t(l, 'subscribe.keyword', { keyword }));
}

async function subscriptionName(deps: CommandDeps, chat: Chat, s: Subscription): Promise<string> {
  if (s.kind === 'keyword') return t(chat.locale, 'list.keyword', { keyword: s.keyword ?? '' });
  return (s.sourceId && (await deps.sources.get(s.sourceId))?.name) || (s.sourceId ?? '?');
}

/** `/unsubscribe` — buttons of the current subscriptions; with an argument, removes the one it names. */
export async function unsubscribeCommand(
  deps: CommandDeps,
  ctx: CommandContext,
  args: string,
): Promise<Reply> {
  const l = ctx.chat.locale;
  if (ctx.chat.subscriptions.length === 0) return textReply(t(l, 'unsubscribe.none'));
  const arg = args.trim();
  if (!arg) {
    const buttons = await Promise.all(
      ctx.chat.subscriptions.map(async (s) => [
        {
          label: `✕ ${await subscriptionName(deps, ctx.chat, s)}`.slice(0, 60),
          action: encodeAction({ kind: 'unsubscribe', subscriptionId: s.id }),
        },
      ]),
    );
    return { ...textReply(t(l, 'unsubscribe.pick')), buttons };
  }
  const lower = arg.toLowerCase();
  for (const s of ctx.chat.subscriptions) {
    const name =
      s.kind === 'keyword'
        ? (s.keyword ?? '')
        : ((s.sourceId && (await deps.sources.get(s.sourceId))?.name) ?? '');
    if (name.toLowerCase() === lower || s.sourceId === arg) return removeSubscription(deps, ctx, s.id);
  }
  return textReply(t(l, 'unsubscribe.notFound', { name: arg.slice(0, 60) }));
}

/** Remove one subscription by id (an unsubscribe button). */
export async function removeSubscription(
  deps: CommandDeps,
  ctx: CommandContext,
  subscriptionId: string,
): Promise<Reply> {
  const l = ctx.chat.locale;
  const sub = ctx.chat.subscriptions.find((s) => s.id === subscriptionId);
  if (!sub) return textReply(t(l, 'unsubscribe.notFound', { name: '' }));
  const name = await subscriptionName(deps, ctx.chat, sub);
  await changeChat(deps, ctx, (c) => {
    c.subscriptions = c.subscriptions.filter((s) => s.id !== subscriptionId);
  });
  return textReply(t(l, 'unsubscribe.done', { name }));
}

/** `/list` — subscriptions and settings. */
export async function listCommand(deps: CommandDeps, ctx: CommandContext): Promise<Reply> {
  const c = ctx.chat;
  const l = c.locale;
  const lines: Span[][] = [];
  if (c.subscriptions.length === 0) lines.push([{ text: t(l, 'list.none') }]);
  else {
    lines.push([{ text: t(l, 'list.title'), bold: true }]);
    for (const s of c.subscriptions) {
      lines.push([
        { text: `• ${await subscriptionName(deps, c, s)}${s.instant ? t(l, 'list.instant') : ''}` },
      ]);
    }
  }
  lines.push([
    {
      text: t(l, 'list.settings', {
        times: c.digestTimes.join(', ') || '—',
        timezone: c.timezone,
        paused: c.paused ? t(l, 'list.paused') : '',
        script: scriptName(c, c.script),
        locale: c.locale,
      }),
    },
  ]);
  const f = filtersText(c);
  if (f) lines.push([{ text: t(l, 'list.filters', { filters: f }) }]);
  return { lines };
}

/** `/instant <source> on|off` (the source may be left out when there is only one). */
export async function instantCommand(deps: CommandDeps, ctx: CommandContext, args: string): Promise<Reply> {
  const l = ctx.chat.locale;
  const m = /^(.*?)\s*\b(on|off)$/i.exec(args.trim());
  if (!m) return textReply(t(l, 'instant.usage'));
  const on = m[2]!.toLowerCase() === 'on';
  const name = m[1]!.trim();
  const sourceSubs = ctx.chat.subscriptions.filter((s) => s.kind === 'source');
  let target: Subscription | undefined;
  if (!name && sourceSubs.length === 1) target = sourceSubs[0];
  else if (name) {
    const source = await deps.sources.find(name);
    target = sourceSubs.find((s) => s.sourceId === source?.id);
  }
  if (!target)
    return textReply(t(l, name ? 'unsubscribe.notFound' : 'instant.usage', { name: name.slice(0, 60) }));
  const id = target.id;
  await changeChat(deps, ctx, (c) => {
    for (const s of c.subscriptions) if (s.id === id) s.instant = on;
  });
  return textReply(
    t(l, 'instant.set', {
      name: await subscriptionName(deps, ctx.chat, target),
      state: t(l, on ? 'instant.on' : 'instant.off'),
    }),
  );
}

/** `/export` — the chat's source subscriptions as an OPML file. */
export async function exportCommand(deps: CommandDeps, ctx: CommandContext): Promise<Reply> {
  const l = ctx.chat.locale;
  const sources = [];
  for (const s of ctx.chat.subscriptions) {
    const src = s.kind === 'source' && s.sourceId ? await deps.sources.get(s.sourceId) : null;
    if (src) sources.push({ url: src.url, title: src.name });
  }
  if (sources.length === 0) return textReply(t(l, 'export.none'));
  const xml = toOpml(`NewsRelay ${ctx.chat.title ?? ctx.chat.chatId}`, sources);
  return {
    ...textReply(t(l, 'export.caption')),
    file: { name: 'newsrelay-subscriptions.opml', mime: 'text/x-opml', data: Buffer.from(xml) },
  };
}

/** An OPML file sent to the bot: each feed is added (validated by fetching) and subscribed. */
export async function importOpml(deps: CommandDeps, ctx: CommandContext, data: Buffer): Promise<Reply> {
  const l = ctx.chat.locale;
  if (data.length > LIMITS.opmlBytes)
    return textReply(t(l, 'import.tooLarge', { max: LIMITS.opmlBytes / 1024 }));
  let feeds: OpmlFeed[];
  try {
    feeds = parseOpml(data.toString('utf8'));
  } catch (err) {
    if (err instanceof NewsrelayError) return textReply(t(l, 'import.invalid'));
    throw err;
  }
  let added = 0;
  let failed = 0;
  for (const f of feeds.slice(0, LIMITS.opmlItems)) {
    try {
      const res = await deps.sourceService.add(f.url, {
        owner: ctx.chat.key,
        ...(f.title ? { name: f.title } : {}),
      });
      if (!ctx.chat.subscriptions.some((s) => s.sourceId === res.source.id)) {
        await subscribeSource(deps, ctx, res.source);
        added++;
      }
    } catch {
      failed++;
    }
  }
  failed += Math.max(0, feeds.length - LIMITS.opmlItems);
  return textReply(t(l, 'import.done', { added, failed }));
}
