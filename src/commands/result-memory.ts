/**
 * The last result list each chat was shown (`/headlines`, `/search` and their pages), so that
 * `/story 3` can name the third headline of it. Kept in this process only and bounded: after a
 * restart, or for a chat not seen lately, a number finds nothing and the user is told so.
 */

/** Chats remembered; the oldest is forgotten beyond this. */
const MAX_CHATS = 5000;

const lists = new Map<string, { offset: number; ids: readonly string[] }>();

/** Remember that `chatKey` was just shown `ids`, numbered from `offset + 1` (as the header counts). */
export function rememberResults(chatKey: string, offset: number, ids: readonly string[]): void {
  lists.delete(chatKey);
  lists.set(chatKey, { offset, ids: [...ids] });
  if (lists.size > MAX_CHATS) {
    const oldest = lists.keys().next().value;
    if (oldest !== undefined) lists.delete(oldest);
  }
}

/**
 * The article id shown as number `n` in the chat's last list (numbered as its header counts, so
 * 11–20 on a second page), or as the `n`th of that page when `n` is not one of those; null when
 * there is no such headline.
 */
export function resultNumbered(chatKey: string, n: number): string | null {
  const list = lists.get(chatKey);
  if (!list || !Number.isInteger(n) || n < 1) return null;
  return list.ids[n - list.offset - 1] ?? list.ids[n - 1] ?? null;
}
