/**
 * Telegram HTML rendering of core messages and command replies. Everything user- or
 * feed-supplied is escaped (`& < > "`), every line is a balanced fragment, and messages are split
 * only between lines, so a part never ends inside a tag, an entity or a surrogate pair.
 */
import type { HeadlineCard, Reply, Span } from '../../src/commands/reply.ts';
import type { Locale, OutgoingMessage } from '../../src/domain/types.ts';
import { formatLocalTime } from '../../src/i18n/format-time.ts';
import { t } from '../../src/i18n/i18n.ts';

/** Telegram's text limit is 4,096 characters after entity parsing; the HTML source is never shorter. */
export const TELEGRAM_TEXT_LIMIT = 4096;
const TITLE_CHARS = 300;
const SPAN_CHARS = 1000;

/** Escape text for Telegram HTML (text and attribute values). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Cut `s` to `max` code points (never inside a surrogate pair), with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
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
      lines.push(line);
    }
  }
  return splitLines(lines, limit);
}

function cardLines(c: HeadlineCard, detail: boolean, locale: Locale, timezone: string): string[] {
  const title = escapeHtml(truncate(c.title || c.url, TITLE_CHARS));
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

/** A command reply as Telegram HTML parts (title, lines, then headline cards). */
export function renderReply(reply: Reply, locale: Locale, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const lines = reply.lines.map((l) => l.map(renderSpan).join(''));
  if (reply.title) lines.unshift(`<b>${escapeHtml(truncate(reply.title, SPAN_CHARS))}</b>`);
  for (const c of reply.cards ?? [])
    lines.push(...cardLines(c, reply.detail === true, locale, reply.timezone ?? 'UTC'));
  return splitLines(lines, limit);
}

/** Inline keyboard markup of a reply's buttons. */
export function inlineKeyboard(
  reply: Reply,
): { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } | undefined {
  // Telegram has no disabled buttons: an edge of a list shows none.
  const rows = (reply.buttons ?? [])
    .map((row) =>
      row
        .filter((b) => !b.disabled || b.action === 'noop')
        .map((b) => ({ text: b.label, callback_data: b.action })),
    )
    .filter((row) => row.length > 0);
  return rows.length > 0 ? { inline_keyboard: rows } : undefined;
}
