import type { APIEmbed } from 'discord.js';
import type { Locale, SourceHealth } from '../../src/domain/types.ts';
import type { Headline } from '../../src/search/headlines-service.ts';
import { formatTime } from './discord-locale.ts';
import { dt } from './discord-strings.ts';
import { escapeMarkdown, LIMITS, textLength, truncate } from './embed-limits.ts';

/** Embed colour of newsrelay messages. */
export const EMBED_COLOUR = 0x2f6fdf;

/** What rendering needs to know about the reader: language, and the guild's time zone. */
export interface RenderContext {
  locale: Locale;
  timezone: string;
}

/** Safe link target: only http(s) URLs become embed links. */
export function safeUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One embed per headline: the title links to the article; the description names the source and
 * the time in the guild's time zone. Titles arrive in the guild's script already (the core
 * converts); feed text is markdown-escaped and cut to Discord's limits.
 */
export function headlineEmbed(h: Headline, ctx: RenderContext): APIEmbed {
  const url = safeUrl(h.url);
  const also =
    h.alsoReportedBy.length > 0
      ? ` · ${dt(ctx.locale, 'alsoReportedBy')}: ${h.alsoReportedBy.map(escapeMarkdown).join('、')}`
      : '';
  return {
    title: truncate(escapeMarkdown(h.title || h.url), LIMITS.title),
    ...(url ? { url } : {}),
    description: truncate(
      `${escapeMarkdown(h.source)} · ${formatTime(h.publishedAt, ctx.timezone)}${also}`,
      512,
    ),
    color: EMBED_COLOUR,
    footer: { text: h.id },
  };
}

/** The embed of /article: title, summary, source, time and the other sources that reported it. */
export function articleEmbed(h: Headline, ctx: RenderContext): APIEmbed {
  const url = safeUrl(h.url);
  const fields = [
    {
      name: dt(ctx.locale, 'source'),
      value: truncate(escapeMarkdown(h.source), LIMITS.fieldValue),
      inline: true,
    },
    {
      name: dt(ctx.locale, 'published'),
      value: `${formatTime(h.publishedAt, ctx.timezone)} (${ctx.timezone})`,
      inline: true,
    },
  ];
  if (h.alsoReportedBy.length > 0) {
    fields.push({
      name: dt(ctx.locale, 'alsoReportedBy'),
      value: truncate(h.alsoReportedBy.map(escapeMarkdown).join('\n'), LIMITS.fieldValue),
      inline: false,
    });
  }
  const summary = h.summary.trim();
  return {
    title: truncate(escapeMarkdown(h.title || h.url), LIMITS.title),
    ...(url ? { url } : {}),
    ...(summary ? { description: truncate(escapeMarkdown(summary), LIMITS.description) } : {}),
    color: EMBED_COLOUR,
    fields,
    footer: { text: h.id },
  };
}

/** A source as /sources lists it. */
export interface SourceLine {
  id: string;
  name: string;
  url: string;
  health: SourceHealth;
}

/** The embed of /sources: one line per source with its health; cut (with "… and N more") at 4,096. */
export function sourcesEmbed(sources: readonly SourceLine[], ctx: RenderContext): APIEmbed {
  if (sources.length === 0)
    return {
      title: dt(ctx.locale, 'sourcesTitle'),
      description: dt(ctx.locale, 'noSources'),
      color: EMBED_COLOUR,
    };
  const lines: string[] = [];
  let used = 0;
  for (const [n, s] of sources.entries()) {
    const line = sourceLine(s, ctx);
    const more = dt(ctx.locale, 'andMore', { count: sources.length - n });
    if (used + textLength(line) + 1 + textLength(more) > LIMITS.description) {
      lines.push(more);
      break;
    }
    lines.push(line);
    used += textLength(line) + 1;
  }
  return { title: dt(ctx.locale, 'sourcesTitle'), description: lines.join('\n'), color: EMBED_COLOUR };
}

function sourceLine(s: SourceLine, ctx: RenderContext): string {
  const h = s.health;
  const name = truncate(escapeMarkdown(s.name), 80);
  const url = safeUrl(s.url);
  const label = url ? `[${name}](${url})` : name;
  const err = truncate(escapeMarkdown(h.lastError ?? h.disabledReason ?? ''), 120);
  let status: string;
  if (h.disabledAt)
    status = `⛔ ${dt(ctx.locale, 'healthDisabled', { error: truncate(escapeMarkdown(h.disabledReason ?? ''), 120) })}`;
  else if (h.failures > 0)
    status = `⚠️ ${dt(ctx.locale, 'healthFailing', { failures: h.failures, error: err })}`;
  else if (!h.lastSuccessAt) status = `⏳ ${dt(ctx.locale, 'healthNever')}`;
  else status = `✅ ${dt(ctx.locale, 'healthOk')}`;
  const last = h.lastSuccessAt
    ? ` · ${dt(ctx.locale, 'lastSuccess', { time: formatTime(h.lastSuccessAt, ctx.timezone) })}`
    : '';
  return `${label} \`${s.id}\` — ${status}${last}`;
}
