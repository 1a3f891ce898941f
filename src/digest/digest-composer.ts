import type { Chat, OutgoingMessage } from '../domain/types.ts';
import { t } from '../i18n/i18n.ts';
import type { SelectedDigest } from './digest-selector.ts';

/** `2025-06-01 08:00` in `tz`. */
export function formatLocalTime(ms: number, tz: string): string {
  const p = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (k: string) => p.find((x) => x.type === k)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** A selected digest as a platform-neutral message in the chat's language. */
export function composeDigest(chat: Chat, selected: SelectedDigest, atMs: number): OutgoingMessage {
  return {
    kind: 'digest',
    locale: chat.locale,
    heading: t(chat.locale, 'digest.heading', { date: formatLocalTime(atMs, chat.timezone) }),
    groups: selected.groups,
    threadId: selected.threadId,
    timezone: chat.timezone,
  };
}

/** One article pushed at once (instant subscription). */
export function composeInstant(chat: Chat, selected: SelectedDigest): OutgoingMessage {
  const source = selected.groups[0]?.sourceName ?? '';
  return {
    kind: 'instant',
    locale: chat.locale,
    heading: t(chat.locale, 'digest.instant', { source }),
    groups: selected.groups,
    threadId: selected.threadId,
    timezone: chat.timezone,
  };
}
