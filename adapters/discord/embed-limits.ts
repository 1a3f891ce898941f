import type { APIEmbed } from 'discord.js';

/** Discord's embed and message limits (characters). */
export const LIMITS = {
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  author: 256,
  embedsPerMessage: 10,
  totalPerMessage: 6000,
  content: 2000,
  customId: 100,
  autocompleteChoices: 25,
  choiceName: 100,
} as const;

/** Mentions parsed from nothing: no feed title can ping anyone, in content or anywhere. */
export const NO_MENTIONS = { parse: [] as [] };

/** Length as Discord counts it (code points). */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Escape Discord markdown (and mention / timestamp syntax) in text that came from a feed, so a
 * title like `**BREAKING** <@&123> [x](http://evil)` shows literally. A backslash before any ASCII
 * punctuation is shown as the punctuation alone, so escaping generously is safe.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\*_~`|[\]()<]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#>-])/, '$1\\$2');
}

/**
 * Escape Discord markdown in a sentence of our own with feed or user text inside it: like
 * {@link escapeMarkdown}, but parentheses and single bars stay (without `[`…`]` around them
 * parentheses make no link, one `|` is no spoiler, and the catalogue's sentences use both).
 */
export function escapeSentence(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\*_~`[\]<]|\|\|/g, (c) => (c === '||' ? '\\|\\|' : `\\${c}`))
    .replace(/^(\s*)([#>-])/, '$1\\$2');
}

/** Cut `text` to `max` code points, ending with `…` when cut; never leaves a dangling escape backslash. */
export function truncate(text: string, max: number): string {
  if (textLength(text) <= max) return text;
  let cut = [...text].slice(0, Math.max(0, max - 1)).join('');
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Characters of an embed that count towards the 6,000 per message. */
export function embedSize(e: APIEmbed): number {
  let n = textLength(e.title ?? '') + textLength(e.description ?? '');
  n += textLength(e.footer?.text ?? '') + textLength(e.author?.name ?? '');
  for (const f of e.fields ?? []) n += textLength(f.name) + textLength(f.value);
  return n;
}

/** Clamp every part of an embed to Discord's limits. */
export function clampEmbed(e: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...e };
  if (out.title !== undefined) out.title = truncate(out.title, LIMITS.title);
  if (out.description !== undefined) out.description = truncate(out.description, LIMITS.description);
  if (out.footer) out.footer = { ...out.footer, text: truncate(out.footer.text, LIMITS.footer) };
  if (out.author) out.author = { ...out.author, name: truncate(out.author.name, LIMITS.author) };
  if (out.fields) {
    out.fields = out.fields.slice(0, LIMITS.fields).map((f) => ({
      ...f,
      name: truncate(f.name, LIMITS.fieldName),
      value: truncate(f.value, LIMITS.fieldValue),
    }));
  }
  return out;
}

/**
 * Split embeds into messages of at most 10 embeds and 6,000 characters each (`reserve`: characters
 * already used by the first message, e.g. a header). Every embed is clamped first.
 */
export function packEmbeds(embeds: APIEmbed[], reserve = 0): APIEmbed[][] {
  const messages: APIEmbed[][] = [];
  let current: APIEmbed[] = [];
  let size = reserve;
  for (const raw of embeds) {
    let e = clampEmbed(raw);
    let s = embedSize(e);
    if (s > LIMITS.totalPerMessage) {
      e = {
        ...e,
        description: truncate(
          e.description ?? '',
          Math.max(1, LIMITS.totalPerMessage - (s - textLength(e.description ?? ''))),
        ),
      };
      s = embedSize(e);
    }
    if (
      current.length > 0 &&
      (current.length >= LIMITS.embedsPerMessage || size + s > LIMITS.totalPerMessage)
    ) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += s;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}
