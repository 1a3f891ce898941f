/**
 * Renders the core's platform-neutral {@link Reply} as a Discord answer: lines as markdown content
 * (or an embed's description under a title), headline cards as embeds, buttons as components.
 * Everything a feed or a person typed is markdown-escaped; channel mentions (`<#id>`, which the
 * core uses to name a target channel and which ping nobody) are the one markup kept.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { HeadlineCard, Reply, Span } from '../../src/commands/reply.ts';
import type { Locale } from '../../src/domain/types.ts';
import { formatLocalTime } from '../../src/i18n/format-time.ts';
import { t } from '../../src/i18n/i18n.ts';
import { escapeMarkdown, escapeSentence, LIMITS, textLength, truncate } from './embed-limits.ts';

/** Embed colour of newsrelay messages. */
export const EMBED_COLOUR = 0x2f6fdf;

/** An answer as discord.js sends it. */
export interface DiscordAnswer {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIButtonComponent>[];
  /** Only the invoking member sees it (errors, admin answers). */
  ephemeral?: boolean;
}

/** Safe link target: only http(s) URLs become links. */
export function safeUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

const keepChannelMentions = (text: string) => text.replace(/\\<#(\d{1,20})>/g, '<#$1>');

function renderSpan(s: Span): string {
  let md = keepChannelMentions(escapeSentence(s.text));
  if (s.code) md = `\`${s.text.replace(/`/g, 'ˋ')}\``;
  const url = s.url ? safeUrl(s.url) : undefined;
  if (url) md = `[${md}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
  if (s.bold) md = `**${md}**`;
  return md;
}

/** Lines joined under `max` characters, cut with "… and N more" when they do not all fit. */
function packLines(lines: string[], max: number, locale: Locale): string {
  const out: string[] = [];
  let used = 0;
  for (const [n, line] of lines.entries()) {
    const more = t(locale, 'health.more', { count: lines.length - n });
    const last = n === lines.length - 1;
    // Every line but the last must leave room for the "… and N more" that may follow it.
    const room = used + textLength(line) + (last ? 0 : 1 + textLength(more));
    if (room > max) {
      out.push(more);
      break;
    }
    out.push(line);
    used += textLength(line) + 1;
  }
  return truncate(out.join('\n'), max);
}

function headlineEmbed(c: HeadlineCard, locale: Locale, timezone: string): APIEmbed {
  const url = safeUrl(c.url);
  const also =
    c.alsoReportedBy.length > 0
      ? ` · ${t(locale, 'article.also')}: ${c.alsoReportedBy.map(escapeMarkdown).join('、')}`
      : '';
  return {
    title: truncate(escapeMarkdown(c.title || c.url), LIMITS.title),
    ...(url ? { url } : {}),
    description: truncate(
      `${escapeMarkdown(c.source)} · ${formatLocalTime(c.publishedAt.getTime(), timezone)}${also}`,
      512,
    ),
    color: EMBED_COLOUR,
    footer: { text: c.id },
  };
}

function articleEmbed(c: HeadlineCard, locale: Locale, timezone: string): APIEmbed {
  const url = safeUrl(c.url);
  const fields = [
    {
      name: t(locale, 'article.source'),
      value: truncate(escapeMarkdown(c.source), LIMITS.fieldValue),
      inline: true,
    },
    {
      name: t(locale, 'article.published'),
      value: `${formatLocalTime(c.publishedAt.getTime(), timezone)} (${timezone})`,
      inline: true,
    },
  ];
  if (c.alsoReportedBy.length > 0)
    fields.push({
      name: t(locale, 'article.also'),
      value: truncate(c.alsoReportedBy.map(escapeMarkdown).join('\n'), LIMITS.fieldValue),
      inline: false,
    });
  const summary = c.summary?.trim();
  return {
    title: truncate(escapeMarkdown(c.title || c.url), LIMITS.title),
    ...(url ? { url } : {}),
    ...(summary ? { description: truncate(escapeMarkdown(summary), LIMITS.description) } : {}),
    color: EMBED_COLOUR,
    fields,
    footer: { text: c.id },
  };
}

function components(reply: Reply): APIActionRowComponent<APIButtonComponent>[] {
  return (reply.buttons ?? []).slice(0, 5).map((row) => ({
    type: ComponentType.ActionRow,
    components: row.slice(0, 5).map((b) => ({
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      label: truncate(b.label, 80),
      custom_id: b.action,
      disabled: b.disabled === true,
    })),
  }));
}

/** A core reply as a Discord answer, in the asker's `locale` (for the few words the renderer adds). */
export function renderReply(reply: Reply, locale: Locale): DiscordAnswer {
  const lines = reply.lines.map((l) => l.map(renderSpan).join(''));
  const timezone = reply.timezone ?? 'UTC';
  const embeds: APIEmbed[] = [];
  let content = '';
  if (reply.title) {
    embeds.push({
      title: truncate(escapeMarkdown(reply.title), LIMITS.title),
      description: packLines(lines, LIMITS.description, locale),
      color: EMBED_COLOUR,
    });
  } else content = truncate(lines.join('\n'), LIMITS.content);
  for (const c of reply.cards ?? []) {
    if (embeds.length >= LIMITS.embedsPerMessage) break;
    embeds.push(reply.detail ? articleEmbed(c, locale, timezone) : headlineEmbed(c, locale, timezone));
  }
  return { content, embeds, components: components(reply), ephemeral: reply.private === true };
}
