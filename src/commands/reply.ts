/**
 * The platform-neutral reply model of command handlers: lines of spans (plain text, bold,
 * links), optional button rows and an optional file. Adapters render it (Telegram HTML with
 * inline keyboards; Discord embeds with components) and do all escaping.
 */

/** A run of text in a line. */
export interface Span {
  text: string;
  bold?: boolean;
  /** Makes the span a link. */
  url?: string;
}

/** A button; `action` is opaque callback data of at most 64 bytes (see `command-actions.ts`). */
export interface ReplyButton {
  label: string;
  action: string;
}

/** A file to send with the reply. */
export interface ReplyFile {
  name: string;
  mime: string;
  data: Buffer;
}

/** What a command answers. */
export interface Reply {
  lines: Span[][];
  buttons?: ReplyButton[][];
  file?: ReplyFile;
  /** Edit the message the button was on instead of sending a new one (button presses). */
  edit?: boolean;
}

/** A reply of plain-text lines. */
export function textReply(...lines: string[]): Reply {
  return { lines: lines.map((text) => [{ text }]) };
}

/** The reply's text without formatting (tests, logs, platforms without markup). */
export function plainText(reply: Reply): string {
  return reply.lines.map((l) => l.map((s) => s.text).join('')).join('\n');
}
