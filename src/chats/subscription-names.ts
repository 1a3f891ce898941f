import type { Subscription } from '../domain/types.ts';

/**
 * Source names as one chat sees them: a source subscription the chat renamed (`/rename`) shows
 * its own name — in digest group headings, instant headings and "also reported by" — and every
 * other source keeps the name it has for everyone.
 */
export function namesForChat(
  sourceNames: ReadonlyMap<string, string>,
  subscriptions: readonly Subscription[],
): ReadonlyMap<string, string> {
  const renamed = subscriptions.filter((s) => s.kind === 'source' && s.sourceId && s.name);
  if (renamed.length === 0) return sourceNames;
  const names = new Map(sourceNames);
  for (const s of renamed) names.set(s.sourceId!, s.name!);
  return names;
}
