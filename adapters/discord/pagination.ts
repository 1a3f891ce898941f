import { createHash } from 'node:crypto';
import { type APIActionRowComponent, type APIButtonComponent, ButtonStyle, ComponentType } from 'discord.js';
import type { Locale } from '../../src/domain/types.ts';
import { dt } from './discord-strings.ts';
import { LIMITS } from './embed-limits.ts';

/** What a result page shows: enough to run the query again at another offset. */
export interface PageState {
  /** `h` headlines, `s` search. */
  kind: 'h' | 's';
  offset: number;
  limit: number;
  /** 0 = no time limit. */
  sinceMs: number;
  /** Source id, or '' for all sources. */
  sourceId: string;
  /** Search text ('' for headlines). */
  query: string;
}

const PREFIX = 'nr:p';
/** Queries too long to travel in a custom_id wait here (by hash) for their Previous/Next clicks. */
const longQueries = new Map<string, string>();
const LONG_QUERY_CACHE = 5000;

/**
 * Encode a page state as a button custom_id of at most 100 characters:
 * `nr:p:<kind>:<offset>:<limit>:<since>:<source>:<query>` (numbers in base 36). A query that would
 * not fit is replaced by `~<hash>` and kept in a bounded in-process cache.
 */
export function encodePage(s: PageState): string {
  const head = [
    PREFIX,
    s.kind,
    s.offset.toString(36),
    s.limit.toString(36),
    s.sinceMs.toString(36),
    s.sourceId,
  ].join(':');
  const full = `${head}:${s.query}`;
  if (full.length <= LIMITS.customId) return full;
  const key = createHash('sha256').update(s.query).digest('base64url').slice(0, 16);
  longQueries.delete(key);
  longQueries.set(key, s.query);
  if (longQueries.size > LONG_QUERY_CACHE) {
    const oldest = longQueries.keys().next().value;
    if (oldest !== undefined) longQueries.delete(oldest);
  }
  return `${head}:~${key}`;
}

/** Whether a custom_id belongs to a result page button. */
export function isPageId(customId: string): boolean {
  return customId.startsWith(`${PREFIX}:`);
}

/**
 * Decode a custom_id made by {@link encodePage}; null when malformed, or when its long query has
 * left the cache (the caller answers "this page has expired").
 */
export function decodePage(customId: string): PageState | null {
  const parts = customId.split(':');
  if (parts.length < 8 || `${parts[0]}:${parts[1]}` !== PREFIX) return null;
  const [, , kind, offset, limit, since, sourceId] = parts;
  let query = parts.slice(7).join(':');
  if (kind !== 'h' && kind !== 's') return null;
  if (query.startsWith('~') && query.length === 17) {
    const q = longQueries.get(query.slice(1));
    if (q === undefined) return null;
    query = q;
  }
  const nums = [offset, limit, since].map((n) => Number.parseInt(n ?? '', 36));
  if (nums.some((n) => !Number.isFinite(n) || n < 0)) return null;
  return { kind, offset: nums[0]!, limit: nums[1]!, sinceMs: nums[2]!, sourceId: sourceId ?? '', query };
}

/**
 * Previous / page x of y / Next buttons for a page of `total` results, or no row when everything
 * fits on one page.
 */
export function pageButtons(
  state: PageState,
  total: number,
  locale: Locale,
): APIActionRowComponent<APIButtonComponent>[] {
  if (total <= state.limit && state.offset === 0) return [];
  const page = Math.floor(state.offset / state.limit) + 1;
  const pages = Math.max(1, Math.ceil(total / state.limit));
  const prev = Math.max(0, state.offset - state.limit);
  const next = state.offset + state.limit;
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: dt(locale, 'previous'),
          custom_id: encodePage({ ...state, offset: prev }),
          disabled: state.offset === 0,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: dt(locale, 'page', { page, pages }),
          custom_id: 'nr:noop',
          disabled: true,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Primary,
          label: dt(locale, 'next'),
          custom_id: encodePage({ ...state, offset: next }),
          disabled: next >= total,
        },
      ],
    },
  ];
}
