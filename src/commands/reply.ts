/**
 * The platform-neutral reply model of command handlers: an optional title, lines of spans
 * (plain text, bold, code, links), headline cards, button rows and an optional file. Adapters
 * render it (Telegram HTML with inline keyboards; Discord content, embeds and components) and do
 * all escaping.
 */

/** A run of text in a line. */
export interface Span {
  text: string;
  bold?: boolean;
  /** Monospace (an id to copy). */
  code?: boolean;
  /** Makes the span a link. */
  url?: string;
}

/** A button; `action` is opaque data of at most 64 bytes (see `command-actions.ts`). */
export interface ReplyButton {
  label: string;
  action: string;
  /** Shown but not pressable (a page counter, an edge of the list). */
  disabled?: boolean;
}

/** A file to send with the reply. */
export interface ReplyFile {
  name: string;
  mime: string;
  data: Buffer;
}

/** A headline as a card: Discord shows an embed, Telegram a linked line. */
export interface HeadlineCard {
  id: string;
  /** In the reader's script already. */
  title: string;
  url: string;
  source: string;
  publishedAt: Date;
  /** Other sources that reported the story. */
  alsoReportedBy: string[];
  /** Shown in the detailed view of one article. */
  summary?: string;
}

/** What a command answers. */
export interface Reply {
  /** A heading (Discord: the embed's title; Telegram: a bold first line). */
  title?: string;
  lines: Span[][];
  cards?: HeadlineCard[];
  /** Cards are one article in detail (summary, source, time, other sources). */
  detail?: boolean;
  /** Time zone the cards' times are shown in. */
  timezone?: string;
  buttons?: ReplyButton[][];
  file?: ReplyFile;
  /** Edit the message the button was on instead of sending a new one (button presses). */
  edit?: boolean;
  /** Only the person who asked needs to see it (errors, settings); Discord answers ephemerally. */
  private?: boolean;
}

/** A reply of plain-text lines. */
export function textReply(...lines: string[]): Reply {
  return { lines: lines.map((text) => [{ text }]) };
}

/** A reply of plain-text lines that only the asker sees. */
export function privateReply(...lines: string[]): Reply {
  return { ...textReply(...lines), private: true };
}

/** The reply's text without formatting (tests, logs, platforms without markup). */
export function plainText(reply: Reply): string {
  const lines = reply.lines.map((l) => l.map((s) => s.text).join(''));
  if (reply.title) lines.unshift(reply.title);
  for (const c of reply.cards ?? []) lines.push(`${c.title} — ${c.source}`);
  return lines.join('\n');
}
