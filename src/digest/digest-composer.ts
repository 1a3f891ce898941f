import type { Chat, OutgoingMessage } from '../domain/types.ts';
import { formatLocalTime } from '../i18n/format-time.ts';
import { t } from '../i18n/i18n.ts';
import type { SelectedDigest } from './digest-selector.ts';

/** A selected digest as a platform-neutral message in the chat's language. */
export function composeDigest(chat: Chat, selected: SelectedDigest, atMs: number): OutgoingMessage {
  return {
    kind: 'digest',
    locale: chat.locale,
    heading: t(chat.locale, 'digest.heading', { date: formatLocalTime(atMs, chat.timezone) }),
    groups: selected.groups,
    threadId: selected.threadId,
    timezone: chat.timezone,
    previews: chat.linkPreviews ?? false,
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
    previews: chat.linkPreviews ?? false,
  };
}
