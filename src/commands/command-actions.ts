/**
 * Button actions: short strings (Telegram allows 64 bytes of callback data) that name a
 * command and one argument.
 */

/** A parsed button action. */
export type Action =
  | { kind: 'subscribe'; sourceId: string }
  | { kind: 'unsubscribe'; subscriptionId: string }
  | { kind: 'sources'; page: number };

/** Encode an action as callback data. */
export function encodeAction(a: Action): string {
  switch (a.kind) {
    case 'subscribe':
      return `sub:${a.sourceId}`;
    case 'unsubscribe':
      return `unsub:${a.subscriptionId}`;
    case 'sources':
      return `src:${a.page}`;
  }
}

/** Decode callback data; null for anything else (old buttons, forged data). */
export function decodeAction(data: string): Action | null {
  const m = /^(sub|unsub|src):([A-Za-z0-9_-]{1,40})$/.exec(data);
  if (!m) return null;
  if (m[1] === 'sub') return { kind: 'subscribe', sourceId: m[2]! };
  if (m[1] === 'unsub') return { kind: 'unsubscribe', subscriptionId: m[2]! };
  const page = Number(m[2]);
  return Number.isInteger(page) && page >= 0 ? { kind: 'sources', page } : null;
}
