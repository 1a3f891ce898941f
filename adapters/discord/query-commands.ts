import type {
  ApplicationCommandOptionChoiceData,
  AutocompleteInteraction,
  ChatInputCommandInteraction,
} from 'discord.js';
import { parseDuration } from '../../src/config/config.ts';
import type { Core } from '../../src/core.ts';
import { NewsrelayError } from '../../src/errors.ts';
import { HeadlinesService, MAX_QUERY_CHARS } from '../../src/search/headlines-service.ts';
import { normaliseForMatch } from '../../src/text/normalise.ts';
import { localeFromDiscord } from './discord-locale.ts';
import { dt } from './discord-strings.ts';
import { escapeMarkdown, LIMITS, truncate } from './embed-limits.ts';
import type { GuildSettings, GuildSettingsStore } from './guild-settings.ts';
import { articleEmbed, headlineEmbed, sourcesEmbed } from './headline-embeds.ts';
import type { Reply } from './interaction-reply.ts';
import { type PageState, pageButtons } from './pagination.ts';
import { UserFacingError } from './user-error.ts';

/** What the query commands need. */
export interface QueryDeps {
  core: Core;
  guilds: GuildSettingsStore;
}

/** Default headlines per page. */
export const DEFAULT_PAGE_SIZE = 5;

type Locale = ReturnType<typeof localeFromDiscord>;

/** Resolve a source option (id, URL or name) to a source id; `unknownSource` when none matches. */
export async function resolveSource(core: Core, ref: string | null): Promise<string> {
  if (!ref?.trim()) return '';
  const src = await core.sources.find(ref.trim());
  if (!src) throw new UserFacingError('unknownSource', { source: truncate(escapeMarkdown(ref), 100) });
  return src.id;
}

function parseSince(since: string | null): number {
  if (!since?.trim()) return 0;
  const ms = parseDuration(since);
  if (ms === null) throw new UserFacingError('badSince', { since: truncate(escapeMarkdown(since), 20) });
  return ms;
}

/** One page of /headlines or /search: embeds, a header line and Previous/Next buttons. */
export async function renderPage(
  deps: QueryDeps,
  state: PageState,
  locale: Locale,
  g: GuildSettings,
): Promise<Reply> {
  let page: Awaited<ReturnType<Core['headlines']['query']>>;
  try {
    page = await deps.core.headlines.query({
      ...(state.query ? { query: state.query } : {}),
      ...(state.sourceId ? { source: state.sourceId } : {}),
      ...(state.sinceMs ? { sinceMs: state.sinceMs } : {}),
      limit: state.limit,
      offset: state.offset,
      script: g.script,
    });
  } catch (err) {
    if (err instanceof NewsrelayError && err.code === 'bad_input')
      throw new UserFacingError('badQuery', { max: MAX_QUERY_CHARS });
    throw err;
  }
  const shownQuery = truncate(escapeMarkdown(state.query), 100);
  if (page.items.length === 0) {
    const content =
      state.kind === 's' ? dt(locale, 'noResults', { query: shownQuery }) : dt(locale, 'noHeadlines');
    return { content, embeds: [], components: [] };
  }
  const ctx = { locale, timezone: g.timezone };
  const from = page.offset + 1;
  const to = page.offset + page.items.length;
  const content =
    state.kind === 's'
      ? dt(locale, 'resultsHeader', { query: shownQuery, from, to, total: page.total })
      : dt(locale, 'headlinesHeader', { from, to, total: page.total });
  return {
    content: truncate(content, LIMITS.content),
    embeds: page.items.slice(0, LIMITS.embedsPerMessage).map((h) => headlineEmbed(h, ctx)),
    components: pageButtons(state, page.total, locale),
  };
}

/** /headlines [source] [since] [limit] */
export async function headlinesCommand(
  deps: QueryDeps,
  i: ChatInputCommandInteraction,
  g: GuildSettings,
): Promise<Reply> {
  const state: PageState = {
    kind: 'h',
    offset: 0,
    limit: Math.min(LIMITS.embedsPerMessage, Math.max(1, i.options.getInteger('limit') ?? DEFAULT_PAGE_SIZE)),
    sinceMs: parseSince(i.options.getString('since')),
    sourceId: await resolveSource(deps.core, i.options.getString('source')),
    query: '',
  };
  return renderPage(deps, state, localeFromDiscord(i.locale), g);
}

/** /search <query> [source] [since] */
export async function searchCommand(
  deps: QueryDeps,
  i: ChatInputCommandInteraction,
  g: GuildSettings,
): Promise<Reply> {
  let query: string;
  try {
    query = HeadlinesService.checkQuery(i.options.getString('query', true));
  } catch {
    throw new UserFacingError('badQuery', { max: MAX_QUERY_CHARS });
  }
  const state: PageState = {
    kind: 's',
    offset: 0,
    limit: DEFAULT_PAGE_SIZE,
    sinceMs: parseSince(i.options.getString('since')),
    sourceId: await resolveSource(deps.core, i.options.getString('source')),
    query,
  };
  return renderPage(deps, state, localeFromDiscord(i.locale), g);
}

/** /sources: every source with its health. */
export async function sourcesCommand(
  deps: QueryDeps,
  i: ChatInputCommandInteraction,
  g: GuildSettings,
): Promise<Reply> {
  const sources = await deps.core.sources.list();
  return { embeds: [sourcesEmbed(sources, { locale: localeFromDiscord(i.locale), timezone: g.timezone })] };
}

/** /article <id>: one article with its summary and the other sources that reported it. */
export async function articleCommand(
  deps: QueryDeps,
  i: ChatInputCommandInteraction,
  g: GuildSettings,
): Promise<Reply> {
  const id = i.options.getString('id', true).trim();
  const locale = localeFromDiscord(i.locale);
  const h = /^[\w-]{1,64}$/.test(id) ? await deps.core.headlines.article(id, g.script) : null;
  if (!h) throw new UserFacingError('articleNotFound', { id: truncate(escapeMarkdown(id), 64) });
  return { embeds: [articleEmbed(h, { locale, timezone: g.timezone })] };
}

/** Autocomplete of `source` options: up to 25 sources whose name, id or URL contains what was typed. */
export async function sourceChoices(
  core: Core,
  i: AutocompleteInteraction,
): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const typed = normaliseForMatch(String(i.options.getFocused() ?? ''));
  const names = await core.headlines.sourceNames();
  const choices: ApplicationCommandOptionChoiceData<string>[] = [];
  for (const [id, name] of names) {
    if (typed && !normaliseForMatch(name).includes(typed) && !id.toLowerCase().includes(typed)) continue;
    choices.push({ name: truncate(name || id, LIMITS.choiceName), value: id });
    if (choices.length >= LIMITS.autocompleteChoices) break;
  }
  return choices;
}
