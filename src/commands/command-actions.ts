/**
 * Button actions: short strings that name a command and its arguments. They must fit both
 * platforms' limits — Telegram's callback data (64 bytes) and Discord's custom_id (100 characters)
 * — so a result page's query that would not fit waits in a bounded in-process cache by hash.
 */
import { createHash } from 'node:crypto';

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

/** A parsed button action. */
export type Action =
  | { kind: 'subscribe'; sourceId: string }
  | { kind: 'unsubscribe'; subscriptionId: string }
  | { kind: 'sources'; page: number }
  | { kind: 'page'; state: PageState }
  | { kind: 'story'; articleId: string }
  | { kind: 'noop' };

/** Largest encoded action, in UTF-8 bytes (Telegram's callback_data limit). */
export const ACTION_BYTES = 64;

const longQueries = new Map<string, string>();
const LONG_QUERY_CACHE = 5000;

function encodePage(s: PageState): string {
  const head = [
    'pg',
    s.kind,
    s.offset.toString(36),
    s.limit.toString(36),
    s.sinceMs.toString(36),
    s.sourceId,
  ].join(':');
  const full = `${head}:${s.query}`;
  if (Buffer.byteLength(full) <= ACTION_BYTES && !s.query.startsWith('~')) return full;
  const key = createHash('sha256').update(s.query).digest('base64url').slice(0, 16);
  longQueries.delete(key);
  longQueries.set(key, s.query);
  if (longQueries.size > LONG_QUERY_CACHE) {
    const oldest = longQueries.keys().next().value;
    if (oldest !== undefined) longQueries.delete(oldest);
  }
  return `${head}:~${key}`;
}

function decodePage(parts: string[]): PageState | null {
  const [, kind, offset, limit, since, sourceId] = parts;
  if (parts.length < 7 || (kind !== 'h' && kind !== 's')) return null;
  let query = parts.slice(6).join(':');
  if (query.startsWith('~')) {
    const q = longQueries.get(query.slice(1));
    if (q === undefined) return null;
    query = q;
  }
  const nums = [offset, limit, since].map((n) => Number.parseInt(n ?? '', 36));
  if (nums.some((n) => !Number.isFinite(n) || n < 0) || nums[1] === 0) return null;
  if (!/^[A-Za-z0-9_-]{0,40}$/.test(sourceId ?? '')) return null;
  return { kind, offset: nums[0]!, limit: nums[1]!, sinceMs: nums[2]!, sourceId: sourceId ?? '', query };
}

/** Encode an action as callback data / custom_id (at most {@link ACTION_BYTES} bytes). */
export function encodeAction(a: Action): string {
  switch (a.kind) {
    case 'subscribe':
      return `sub:${a.sourceId}`;
    case 'unsubscribe':
      return `unsub:${a.subscriptionId}`;
    case 'sources':
      return `src:${a.page}`;
    case 'page':
      return encodePage(a.state);
    case 'story':
      return `sty:${a.articleId}`;
    case 'noop':
      return 'noop';
  }
}

/**
 * Decode callback data; null for anything else (old buttons, forged data) and for a page whose
 * long query has left the cache (the caller answers "this page has expired").
 */
export function decodeAction(data: string): Action | null {
  if (data === 'noop') return { kind: 'noop' };
  if (data.startsWith('pg:')) {
    const state = decodePage(data.split(':'));
    return state ? { kind: 'page', state } : null;
  }
  const m = /^(sub|unsub|src|sty):([A-Za-z0-9_-]{1,40})$/.exec(data);
  if (!m) return null;
  if (m[1] === 'sty') return { kind: 'story', articleId: m[2]! };
  if (m[1] === 'sub') return { kind: 'subscribe', sourceId: m[2]! };
  if (m[1] === 'unsub') return { kind: 'unsubscribe', subscriptionId: m[2]! };
  const page = Number(m[2]);
  return Number.isInteger(page) && page >= 0 ? { kind: 'sources', page } : null;
}

/** True when `data` looks like a result-page action (to tell "expired" from "not ours"). */
export function isPageAction(data: string): boolean {
  return data.startsWith('pg:');
}
