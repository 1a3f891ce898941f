/**
 * What an item shows beyond its linked title, by format (docs/decisions/0012-item-formats.md):
 * `summary` adds the one-line summary, `full` the lead image too. Summaries are cut to
 * {@link ITEM_SUMMARY_CHARS} user-perceived characters and converted to the chat's script here,
 * so every platform shows the same text.
 */
import type { Article, Chat, DigestItem, ItemFormat, Script, Subscription } from '../domain/types.ts';
import { clipGraphemes, oneLine } from '../text/clip-text.ts';
import { filterText } from '../text/filter-match.ts';
import { convertScript } from '../text/script-converter.ts';

/** Longest one-line summary under an item (user-perceived characters). */
export const ITEM_SUMMARY_CHARS = 200;

/** The format a subscription's items are shown in: its own, else the chat's, else titles. */
export function itemFormatOf(chat: Chat, sub: Subscription | null): ItemFormat {
  return sub?.format ?? chat.itemFormat ?? 'titles';
}

/**
 * The fields a format adds to an item of `article`: nothing for `titles`; else the format, the
 * one-line summary (left out when it only repeats the title) and the lead image when there is one.
 */
export function itemExtras(
  article: Pick<Article, 'title' | 'summary' | 'imageUrl'>,
  format: ItemFormat,
  script: Script,
): Pick<DigestItem, 'format' | 'summary' | 'imageUrl'> {
  if (format === 'titles') return {};
  const line = clipGraphemes(oneLine(article.summary), ITEM_SUMMARY_CHARS);
  const repeatsTitle = line === '' || filterText(line) === filterText(article.title);
  return {
    format,
    ...(repeatsTitle ? {} : { summary: convertScript(line, script) }),
    ...(article.imageUrl ? { imageUrl: article.imageUrl } : {}),
  };
}
