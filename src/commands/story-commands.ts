/**
 * `/story <article>`: one story as each outlet that carries it headlined it, grouped by region
 * (mainland, Hong Kong, Taiwan, overseas), in the chat's script and language. The article is a
 * number of the chat's last result list or an article id (Discord shows it under each card).
 */
import { UserError } from '../errors.ts';
import { formatLocalTime } from '../i18n/format-time.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import type { Headline } from '../search/headlines-service.ts';
import { REGIONS } from '../sources/source-region.ts';
import { encodeAction } from './command-actions.ts';
import { type CommandContext, type CommandServices, say } from './command-context.ts';
import type { Reply, ReplyButton, Span } from './reply.ts';
import { resultNumbered } from './result-memory.ts';

/** Story buttons under a result list at most (Discord allows five rows; one holds the pages). */
const MAX_STORY_BUTTONS = 3;
/** Characters of a headline in a story button's label. */
const BUTTON_TITLE_CHARS = 24;
/** Characters of a reference echoed back in an error. */
const REF_CHARS = 64;

const REGION_KEYS = {
  mainland: 'region.mainland',
  hk: 'region.hk',
  tw: 'region.tw',
  overseas: 'region.overseas',
} as const satisfies Record<(typeof REGIONS)[number], MessageKey>;

/** The article id a `/story` reference names: a number of the last list, or an id as typed. */
function articleIdOf(ctx: CommandContext, ref: string): string | null {
  if (/^\d{1,4}$/.test(ref)) return resultNumbered(ctx.chat.key, Number(ref));
  return /^[\w-]{1,64}$/.test(ref) ? ref : null;
}

/** `/story <number|id>` (see the module comment). */
export async function storyCommand(
  services: CommandServices,
  ctx: CommandContext,
  typed: string,
): Promise<Reply> {
  const ref = typed.trim();
  if (!ref) throw new UserError('story.usage');
  const id = articleIdOf(ctx, ref);
  const story = id ? await services.headlines.story(id, ctx.chat.script) : null;
  if (!story) {
    throw /^\d{1,4}$/.test(ref)
      ? new UserError('story.noNumber', { n: ref })
      : new UserError('story.notFound', { ref: ref.slice(0, REF_CHARS) });
  }
  const lines: Span[][] = [];
  for (const region of REGIONS) {
    const outlets = story.outlets.filter((o) => o.region === region);
    if (outlets.length === 0) continue;
    lines.push([{ text: say(ctx, REGION_KEYS[region]), bold: true }]);
    for (const o of outlets) {
      lines.push([
        { text: '• ' },
        { text: o.title || o.url, url: o.url },
        { text: ` — ${o.source} · ${formatLocalTime(o.publishedAt.getTime(), ctx.chat.timezone)}` },
      ]);
    }
  }
  if (story.outlets.length <= 1) lines.push([{ text: say(ctx, 'story.single') }]);
  return { title: say(ctx, 'story.title', { outlets: story.outlets.length }), lines };
}

/**
 * Buttons that open `/story` for the headlines of a result list that more than one outlet
 * carries (the others have nothing to compare), at most {@link MAX_STORY_BUTTONS}, one a row.
 */
export function storyButtons(ctx: CommandContext, items: readonly Headline[]): ReplyButton[][] {
  return items
    .filter((h) => h.alsoReportedBy.length > 0)
    .slice(0, MAX_STORY_BUTTONS)
    .map((h) => {
      const chars = [...h.title];
      const title =
        chars.length > BUTTON_TITLE_CHARS ? `${chars.slice(0, BUTTON_TITLE_CHARS - 1).join('')}…` : h.title;
      return [
        {
          label: say(ctx, 'story.button', { title }),
          action: encodeAction({ kind: 'story', articleId: h.id }),
        },
      ];
    });
}
