import { parseDuration } from '../config/config.ts';
import { NewsrelayError, UserError } from '../errors.ts';
import { formatLocalTime } from '../i18n/format-time.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { type Headline, HeadlinesService, MAX_QUERY_CHARS } from '../search/headlines-service.ts';
import { displayUrl } from '../sources/url-redaction.ts';
import { encodeAction, type PageState } from './command-actions.ts';
import { type CommandContext, type CommandServices, say } from './command-context.ts';
import type { HeadlineCard, Reply, ReplyButton, Span } from './reply.ts';
import { textReply } from './reply.ts';
import { rememberResults } from './result-memory.ts';
import { healthText, visibleSources } from './source-visibility.ts';
import { storyButtons } from './story-commands.ts';

/** Commands in menu order, with their description key (Telegram's setMyCommands, /help). */
export const COMMANDS: ReadonlyArray<{ name: string; key: MessageKey }> = [
  'start help sources subscribe unsubscribe list digest time timezone pause resume script filter rename mute unmute instant lang headlines search story export settings sub'
    .split(' ')
    .map((name) => ({ name, key: `cmd.${name}` as MessageKey })),
].flat();

/** Most headlines on one page. */
export const MAX_PAGE_SIZE = 10;

/** `/start` — welcome and a three-line how-to. */
export function startCommand(ctx: CommandContext): Reply {
  return textReply(
    say(ctx, 'start.welcome'),
    '',
    say(ctx, 'start.howto1'),
    say(ctx, 'start.howto2'),
    say(ctx, 'start.howto3'),
  );
}

/** `/help` — every command with its description. */
export function helpCommand(ctx: CommandContext): Reply {
  return {
    lines: [
      [{ text: say(ctx, 'help.title'), bold: true }],
      ...COMMANDS.map((c) => [{ text: `/${c.name}` }, { text: ` — ${say(ctx, c.key)}` }]),
    ],
  };
}

/** What `/headlines` and `/search` ask for, as typed (validated here). */
export interface HeadlinesInput {
  query: string | null;
  /** Source name, id or URL. */
  source: string | null;
  /** `6h`, `7d`, … */
  since: string | null;
  limit: number;
}

function card(h: Headline, detail: boolean): HeadlineCard {
  return {
    id: h.id,
    title: h.title,
    url: h.url,
    source: h.source,
    publishedAt: h.publishedAt,
    alsoReportedBy: h.alsoReportedBy,
    ...(detail ? { summary: h.summary } : {}),
  };
}

function pageButtons(ctx: CommandContext, state: PageState, total: number): ReplyButton[][] {
  if (total <= state.limit && state.offset === 0) return [];
  const page = Math.floor(state.offset / state.limit) + 1;
  const pages = Math.max(1, Math.ceil(total / state.limit));
  const prev = Math.max(0, state.offset - state.limit);
  const next = state.offset + state.limit;
  return [
    [
      {
        label: say(ctx, 'page.previous'),
        action: encodeAction({ kind: 'page', state: { ...state, offset: prev } }),
        disabled: state.offset === 0,
      },
      {
        label: say(ctx, 'page.label', { page, pages }),
        action: encodeAction({ kind: 'noop' }),
        disabled: true,
      },
      {
        label: say(ctx, 'page.next'),
        action: encodeAction({ kind: 'page', state: { ...state, offset: next } }),
        disabled: next >= total,
      },
    ],
  ];
}

/**
 * One page of headlines (no query) or search results, newest first, in the chat's script, with
 * Previous/Next buttons when there is more. Pages are re-run from the state in their buttons.
 */
export async function headlinesPage(
  services: CommandServices,
  ctx: CommandContext,
  state: PageState,
): Promise<Reply> {
  let page: Awaited<ReturnType<HeadlinesService['query']>>;
  try {
    page = await services.headlines.query({
      ...(state.query ? { query: state.query } : {}),
      ...(state.sourceId ? { source: state.sourceId } : {}),
      ...(state.sinceMs ? { sinceMs: state.sinceMs } : {}),
      limit: state.limit,
      offset: state.offset,
      script: ctx.chat.script,
    });
  } catch (err) {
    if (err instanceof NewsrelayError && err.code === 'bad_input')
      throw new UserError('query.invalid', { max: MAX_QUERY_CHARS });
    throw err;
  }
  const query = state.query.slice(0, 100);
  if (page.items.length === 0)
    return textReply(state.kind === 's' ? say(ctx, 'search.none', { query }) : say(ctx, 'headlines.none'));
  // `/story 3` names the third headline of this list.
  rememberResults(
    ctx.chat.key,
    page.offset,
    page.items.map((h) => h.id),
  );
  const range = { from: page.offset + 1, to: page.offset + page.items.length, total: page.total };
  const header =
    state.kind === 's' ? say(ctx, 'search.header', { query, ...range }) : say(ctx, 'headlines.header', range);
  return {
    lines: [[{ text: header, bold: true }]],
    cards: page.items.map((h) => card(h, false)),
    timezone: ctx.chat.timezone,
    buttons: [...pageButtons(ctx, state, page.total), ...storyButtons(ctx, page.items)],
  };
}

/** `/headlines [query]` and `/search <query>` (with `requireQuery`): the first page. */
export async function headlinesCommand(
  services: CommandServices,
  ctx: CommandContext,
  input: HeadlinesInput,
  requireQuery: boolean,
): Promise<Reply> {
  let query = '';
  try {
    query = input.query ? HeadlinesService.checkQuery(input.query) : '';
  } catch {
    throw new UserError('query.invalid', { max: MAX_QUERY_CHARS });
  }
  if (requireQuery && !query) throw new UserError('search.usage');
  let sinceMs = 0;
  if (input.since?.trim()) {
    const ms = parseDuration(input.since);
    if (ms === null) throw new UserError('since.invalid', { since: input.since.slice(0, 20) });
    sinceMs = ms;
  }
  let sourceId = '';
  if (input.source?.trim()) {
    const source = await services.sources.find(input.source);
    if (!source) throw new UserError('source.unknown', { source: input.source.slice(0, 100) });
    sourceId = source.id;
  }
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(input.limit)));
  return headlinesPage(services, ctx, {
    kind: query ? 's' : 'h',
    offset: 0,
    limit,
    sinceMs,
    sourceId,
    query,
  });
}

/** `/article <id>`: one article with its summary and the other sources that reported it. */
export async function articleCommand(
  services: CommandServices,
  ctx: CommandContext,
  id: string,
): Promise<Reply> {
  const ref = id.trim();
  const h = /^[\w-]{1,64}$/.test(ref) ? await services.headlines.article(ref, ctx.chat.script) : null;
  if (!h) throw new UserError('article.notFound', { id: ref.slice(0, 64) });
  return { lines: [], cards: [card(h, true)], detail: true, timezone: ctx.chat.timezone };
}

/**
 * Sources with their health (Discord's `/sources`): one line each, for the sources this chat may
 * see (those it follows, public ones). A URL with secrets (tokens, credentials) is not linked; its
 * redacted form is shown instead.
 */
export async function sourcesHealthCommand(services: CommandServices, ctx: CommandContext): Promise<Reply> {
  const sources = await visibleSources(services, ctx);
  if (sources.length === 0)
    return { title: say(ctx, 'health.title'), lines: [[{ text: say(ctx, 'health.none') }]] };
  const lines = sources.map((s): Span[] => {
    const h = s.health;
    const last = h.lastSuccessAt
      ? ` · ${say(ctx, 'health.lastSuccess', { time: formatLocalTime(h.lastSuccessAt.getTime(), ctx.chat.timezone) })}`
      : '';
    const name = s.name.slice(0, 80);
    const shown = displayUrl(s.url);
    return [
      shown === s.url ? { text: name, url: s.url } : { text: `${name} (${shown.slice(0, 200)})` },
      { text: ' ' },
      { text: s.id, code: true },
      { text: ` — ${healthText(ctx, s, ctx.chat.timezone)}${last}` },
    ];
  });
  return { title: say(ctx, 'health.title'), lines };
}

/** `/digest` — the chat's digest now, or "nothing new". */
export async function digestCommand(services: CommandServices, ctx: CommandContext): Promise<Reply> {
  const outcome = await services.digests.runNow(ctx.chat.key);
  if (outcome === 'no_subscriptions') return textReply(say(ctx, 'digest.noSubscriptions'));
  if (outcome === 'queued') return textReply(say(ctx, 'digest.queued'));
  return textReply(say(ctx, 'digest.empty'));
}
