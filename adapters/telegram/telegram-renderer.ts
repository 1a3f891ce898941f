/**
 * Telegram HTML rendering of core messages and command replies. Everything user- or
 * feed-supplied is escaped (`& < > "`), every line is a balanced fragment, and messages are split
 * only between lines, so a part never ends inside a tag, an entity or a surrogate pair.
 */
import type { HeadlineCard, Reply, Span } from '../../src/commands/reply.ts';
import type { Locale, OutgoingMessage } from '../../src/domain/types.ts';
import { formatLocalTime } from '../../src/i18n/format-time.ts';
import { t } from '../../src/i18n/i18n.ts';
import { clipGraphemes } from '../../src/text/clip-text.ts';

/** Telegram's text limit is 4,096 characters after entity parsing; the HTML source is never shorter. */
export const TELEGRAM_TEXT_LIMIT = 4096;
const TITLE_CHARS = 300;
const SPAN_CHARS = 1000;
/** The core cuts summaries to 200 user-perceived characters; this only bounds stored messages. */
const SUMMARY_CHARS = 400;
/** Telegram's limit on a photo caption, counted like a text after entity parsing. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

const HTML_SPECIAL = /[&<>"]/;
const HTML_SPECIALS = /[&<>"]/g;
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/** Escape text for Telegram HTML (text and attribute values). */
export function escapeHtml(s: string): string {
  // One pass, and none for the many strings with nothing to escape.
  return HTML_SPECIAL.test(s) ? s.replace(HTML_SPECIALS, (c) => HTML_ESCAPES[c]!) : s;
}

/** Cut `s` to `max` code points (never inside a surrogate pair), with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  // A code point is one or two code units: a string this short always fits, and most do.
  if (s.length <= max) return s;
  const cps = [...s];
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

const safeUrl = (url: string): string | null => (/^(https?|tg):\/\//i.test(url) ? url : null);

function renderSpan(s: Span): string {
  let html = escapeHtml(truncate(s.text.replace(/[\r\n]+/g, ' '), SPAN_CHARS));
  if (s.code) html = `<code>${html}</code>`;
  const url = s.url ? safeUrl(s.url) : null;
  if (url) html = `<a href="${escapeHtml(url)}">${html}</a>`;
  if (s.bold) html = `<b>${html}</b>`;
  return html;
}

/**
 * Join lines into parts of at most `limit` characters, breaking only between lines. A single line
 * longer than the limit (not produced by the renderers, which cap titles and spans) is cut at a
 * code-point boundary after stripping its markup.
 */
export function splitLines(lines: readonly string[], limit = TELEGRAM_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let current = '';
  for (let line of lines) {
    if (line.length > limit) line = escapeHtml(truncate(line.replace(/<[^>]*>/g, ''), Math.floor(limit / 6)));
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    if (current.trim() !== '') parts.push(current);
    current = line;
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}

/** A digest, instant message or notice as Telegram HTML parts. */
export function renderMessage(msg: OutgoingMessage, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const lines: string[] = [`<b>${escapeHtml(truncate(msg.heading, SPAN_CHARS))}</b>`];
  if (msg.text) lines.push(...msg.text.split('\n').map((l) => escapeHtml(truncate(l, SPAN_CHARS))));
  for (const g of msg.groups) {
    lines.push('', `<b>${escapeHtml(truncate(g.sourceName, 100))}</b>`);
    for (const item of g.items) {
      const title = escapeHtml(truncate(item.title, TITLE_CHARS));
      const url = safeUrl(item.url);
      let line = url ? `• <a href="${escapeHtml(url)}">${title}</a>` : `• ${title}`;
      if (item.alsoReportedBy.length > 0) {
        const names = truncate(item.alsoReportedBy.join(', '), 200);
        line += ` <i>(${escapeHtml(t(msg.locale, 'digest.also', { names }))})</i>`;
      }
      // The summary is on the item's own line, so a part never separates it from its title.
      if (item.summary) line += `\n${escapeHtml(clipGraphemes(item.summary, SUMMARY_CHARS))}`;
      lines.push(line);
    }
  }
  return splitLines(lines, limit);
}

/** A photo with its caption: the URL Telegram fetches, and Telegram HTML. */
export interface PhotoPost {
  photo: string;
  caption: string;
}

/** Title and summary lengths tried, longest first, to fit a caption. */
const CAPTION_FITS: ReadonlyArray<[title: number, summary: number]> = [
  [TITLE_CHARS, SUMMARY_CHARS],
  [TITLE_CHARS, 200],
  [200, 100],
  [120, 60],
  [60, 0],
];

/**
 * An instant item in the `full` format with a lead image, as a photo whose caption is the heading,
 * the linked title and the summary within Telegram's 1,024-character caption limit (shortening
 * summary, then title, as needed); null for every other message, which is sent as text.
 */
export function renderPhoto(msg: OutgoingMessage, limit = TELEGRAM_CAPTION_LIMIT): PhotoPost | null {
  const item = msg.kind === 'instant' && msg.groups.length === 1 ? msg.groups[0]?.items : undefined;
  if (item?.length !== 1 || item[0]?.format !== 'full' || !item[0].imageUrl) return null;
  const { imageUrl, title, url, summary } = item[0];
  const photo = /^https?:\/\//i.test(imageUrl) ? imageUrl : null;
  if (!photo) return null;
  const link = safeUrl(url);
  for (const [titleChars, summaryChars] of CAPTION_FITS) {
    const text = escapeHtml(clipGraphemes(title || url, titleChars));
    const lines = [
      `<b>${escapeHtml(truncate(msg.heading, 100))}</b>`,
      link ? `<a href="${escapeHtml(link)}">${text}</a>` : text,
    ];
    if (summary && summaryChars > 0) lines.push(escapeHtml(clipGraphemes(summary, summaryChars)));
    const caption = lines.join('\n');
    if (visibleLength(caption) <= limit) return { photo, caption };
  }
  return null;
}

function cardLines(
  c: HeadlineCard,
  detail: boolean,
  locale: Locale,
  timezone: string,
  titleChars = TITLE_CHARS,
): string[] {
  const title = escapeHtml(truncate(c.title || c.url, titleChars));
  const url = safeUrl(c.url);
  const linked = url ? `<a href="${escapeHtml(url)}">${title}</a>` : title;
  const source = escapeHtml(truncate(c.source, 100));
  const also =
    c.alsoReportedBy.length > 0
      ? escapeHtml(t(locale, 'digest.also', { names: truncate(c.alsoReportedBy.join(', '), 200) }))
      : '';
  if (!detail) return [`• ${linked} — ${source}${also ? ` (${also})` : ''}`];
  const lines = [`<b>${linked}</b>`];
  const summary = c.summary?.trim();
  if (summary) lines.push(escapeHtml(truncate(summary.replace(/\s+/g, ' '), SPAN_CHARS)));
  lines.push(`${source} · ${formatLocalTime(c.publishedAt.getTime(), timezone)}`);
  if (also) lines.push(`<i>${also}</i>`);
  return lines;
}

function replyLines(reply: Reply, locale: Locale, titleChars = TITLE_CHARS): string[] {
  const lines = reply.lines.map((l) => l.map(renderSpan).join(''));
  if (reply.title) lines.unshift(`<b>${escapeHtml(truncate(reply.title, SPAN_CHARS))}</b>`);
  for (const c of reply.cards ?? [])
    lines.push(...cardLines(c, reply.detail === true, locale, reply.timezone ?? 'UTC', titleChars));
  return lines;
}

/** A command reply as Telegram HTML parts (title, lines, then headline cards). */
export function renderReply(reply: Reply, locale: Locale, limit = TELEGRAM_TEXT_LIMIT): string[] {
  return splitLines(replyLines(reply, locale), limit);
}

/** Title lengths tried, longest first, to fit a reply with buttons into one message. */
const FIT_TITLE_CHARS = [TITLE_CHARS, 120, 60, 30];

/**
 * Length of Telegram HTML as Telegram counts it against the 4,096 limit: after entity parsing
 * (tags and link targets do not count), in UTF-16 code units.
 */
export function visibleLength(html: string): number {
  return html.replace(/<[^>]*>/g, '').replace(/&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/gi, '&').length;
}

/**
 * A reply with buttons as ONE message: its buttons page or change what that message shows, and a
 * page edited in place must not leave an earlier part of the previous page above it. Measured as
 * Telegram measures (link targets are free); long headline titles are shortened until the page
 * fits, and if even the shortest do not, trailing lines give way to an ellipsis.
 */
export function renderSingle(reply: Reply, locale: Locale, limit = TELEGRAM_TEXT_LIMIT): string {
  for (const chars of FIT_TITLE_CHARS) {
    const html = replyLines(reply, locale, chars).join('\n');
    if (visibleLength(html) <= limit) return html;
  }
  const lines = replyLines(reply, locale, FIT_TITLE_CHARS.at(-1));
  while (lines.length > 1 && visibleLength([...lines, '…'].join('\n')) > limit) lines.pop();
  return [...lines, '…'].join('\n');
}

/** Inline keyboard button. */
export interface InlineButton {
  text: string;
  callback_data: string;
}

/**
 * Inline keyboard markup of a reply's buttons; `data` maps an action to the callback data sent
 * (null leaves the button out).
 */
export function inlineKeyboard(
  reply: Reply,
  data: (action: string) => string | null = (a) => a,
): { inline_keyboard: InlineButton[][] } | undefined {
  // Telegram has no disabled buttons: an edge of a list shows none.
  const rows = (reply.buttons ?? [])
    .map((row) =>
      row
        .filter((b) => !b.disabled || b.action === 'noop')
        .flatMap((b) => {
          const callback = data(b.action);
          return callback === null ? [] : [{ text: b.label, callback_data: callback }];
        }),
    )
    .filter((row) => row.length > 0);
  return rows.length > 0 ? { inline_keyboard: rows } : undefined;
}
