import type { APIEmbed } from 'discord.js';
import type { DigestItem, OutgoingMessage } from '../../src/domain/types.ts';
import { formatLocalTime } from '../../src/i18n/format-time.ts';
import { escapeMarkdown, LIMITS, packEmbeds, textLength, truncate } from './embed-limits.ts';
import { EMBED_COLOUR, safeUrl } from './reply-renderer.ts';

/** One Discord message of a delivery. */
export interface DiscordPart {
  content: string;
  embeds: APIEmbed[];
}

/** A URL safe inside a markdown link: parentheses and spaces percent-encoded. */
function linkTarget(url: string): string | undefined {
  return safeUrl(url)?.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
}

/** A summary as shown under a title: markdown escaped, at most `max` characters. */
const summaryText = (item: DigestItem, max: number): string =>
  item.summary ? truncate(escapeMarkdown(item.summary), max) : '';

function itemLine(item: DigestItem, timezone: string): string {
  const title = truncate(escapeMarkdown(item.title || item.url), 200);
  const target = linkTarget(item.url);
  const when = formatLocalTime(Date.parse(item.publishedAt), timezone).slice(5);
  const also = item.alsoReportedBy.length
    ? ` (+${item.alsoReportedBy.map((s) => truncate(escapeMarkdown(s), 40)).join('、')})`
    : '';
  const summary = summaryText(item, 300);
  return `${target ? `[${title}](${target})` : title} · ${when}${also}${summary ? `\n> ${summary}` : ''}`;
}

/** An image URL Discord may show: absolute http(s) only (the core keeps no other). */
const imageUrl = (item: DigestItem): string | undefined =>
  item.imageUrl && /^https?:\/\//i.test(item.imageUrl) ? item.imageUrl : undefined;

/**
 * An instant item in the `summary` or `full` format: the summary as description, the source as
 * author, the publication time as the embed's timestamp, and the lead image as a thumbnail
 * (`summary`) or a large image (`full`).
 */
function richEmbed(item: DigestItem, sourceName: string): APIEmbed {
  const url = safeUrl(item.url);
  const image = imageUrl(item);
  const published = Date.parse(item.publishedAt);
  const summary = summaryText(item, 1000);
  return {
    title: truncate(escapeMarkdown(item.title || item.url), LIMITS.title),
    ...(url ? { url } : {}),
    ...(summary ? { description: summary } : {}),
    author: { name: truncate(sourceName, LIMITS.author) },
    ...(Number.isNaN(published) ? {} : { timestamp: new Date(published).toISOString() }),
    ...(image ? { [item.format === 'full' ? 'image' : 'thumbnail']: { url: image } } : {}),
    color: EMBED_COLOUR,
  };
}

function instantEmbed(item: DigestItem, sourceName: string, timezone: string): APIEmbed {
  if (item.format) return richEmbed(item, sourceName);
  const url = safeUrl(item.url);
  return {
    title: truncate(escapeMarkdown(item.title || item.url), LIMITS.title),
    ...(url ? { url } : {}),
    description: truncate(
      `${escapeMarkdown(sourceName)} · ${formatLocalTime(Date.parse(item.publishedAt), timezone)}`,
      512,
    ),
    color: EMBED_COLOUR,
  };
}

/** Embeds of one source group: its items as linked lines, split over as many embeds as 4,096 needs. */
function groupEmbeds(group: OutgoingMessage['groups'][number], timezone: string): APIEmbed[] {
  const title = truncate(escapeMarkdown(group.sourceName), LIMITS.title);
  const embeds: APIEmbed[] = [];
  let lines: string[] = [];
  let size = 0;
  const flush = () => {
    if (lines.length === 0) return;
    embeds.push({ title, description: lines.join('\n'), color: EMBED_COLOUR });
    lines = [];
    size = 0;
  };
  for (const item of group.items) {
    const line = itemLine(item, timezone);
    // 1,500 per embed keeps several groups in one message under the 6,000 total.
    if (size + textLength(line) + 1 > 1500) flush();
    lines.push(line);
    size += textLength(line) + 1;
  }
  flush();
  return embeds;
}

/**
 * Render a platform-neutral message as Discord messages ("parts"): the heading as content, then
 * embeds packed ≤ 10 and ≤ 6,000 characters per message. Instant messages show each article as a
 * linked embed (with summary, source, time and image in the richer formats), or as its bare link
 * when link previews are on and it shows a title only; digests one embed per source with linked
 * lines (a summary quoted under each title in the richer formats); notices plain text. Pure and
 * deterministic, so the part count and each part are the same on every call.
 */
export function renderOutgoing(msg: OutgoingMessage): DiscordPart[] {
  const heading = truncate(escapeMarkdown(msg.heading), 300);
  if (msg.kind === 'notice' || msg.groups.length === 0) {
    const text = msg.text ? `${heading}\n${escapeMarkdown(msg.text)}` : heading;
    return [{ content: truncate(text, LIMITS.content), embeds: [] }];
  }
  const only = msg.groups.length === 1 ? msg.groups[0]?.items : undefined;
  const link = only?.length === 1 && !only[0]?.format ? safeUrl(only[0]?.url ?? '') : undefined;
  // Link previews on: an instant item shown as a title is its bare link, which Discord unfurls into
  // the site's own preview (a link inside an embed is never unfurled). Heading and title are at
  // most 300 characters each, so a link of at most 1,000 always fits whole in the 2,000.
  if (msg.kind === 'instant' && msg.previews === true && link && link.length <= 1000 && only?.[0]) {
    const title = truncate(escapeMarkdown(only[0].title || link), 300);
    return [{ content: `${heading}\n${title}\n${link}`, embeds: [] }];
  }
  const embeds =
    msg.kind === 'instant'
      ? msg.groups.flatMap((g) => g.items.map((it) => instantEmbed(it, g.sourceName, msg.timezone)))
      : msg.groups.flatMap((g) => groupEmbeds(g, msg.timezone));
  return packEmbeds(embeds).map((chunk, n) => ({ content: n === 0 ? heading : '', embeds: chunk }));
}
