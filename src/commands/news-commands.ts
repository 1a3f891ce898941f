import type { MessageKey } from '../i18n/i18n.ts';
import { t } from '../i18n/i18n.ts';
import type { CommandContext, CommandDeps } from './command-context.ts';
import { type Reply, type Span, textReply } from './reply.ts';

/** Commands in menu order, with their description key (setMyCommands, /help). */
export const COMMANDS: ReadonlyArray<{ name: string; key: MessageKey }> = [
  'start help sources subscribe unsubscribe list digest time timezone pause resume script filter instant lang headlines search export'
    .split(' ')
    .map((name) => ({ name, key: `cmd.${name}` as MessageKey })),
].flat();

/** `/start` — welcome and a three-line how-to. */
export function startCommand(ctx: CommandContext): Reply {
  const l = ctx.chat.locale;
  return textReply(
    t(l, 'start.welcome'),
    '',
    t(l, 'start.howto1'),
    t(l, 'start.howto2'),
    t(l, 'start.howto3'),
  );
}

/** `/help` — every command with its description. */
export function helpCommand(ctx: CommandContext): Reply {
  const l = ctx.chat.locale;
  return {
    lines: [
      [{ text: t(l, 'help.title'), bold: true }],
      ...COMMANDS.map((c) => [{ text: `/${c.name}` }, { text: ` — ${t(l, c.key)}` }]),
    ],
  };
}

/** `/headlines [query]` and `/search <query>`: the core search, in the chat's script. */
export async function headlinesCommand(
  deps: CommandDeps,
  ctx: CommandContext,
  args: string,
  requireQuery: boolean,
): Promise<Reply> {
  const l = ctx.chat.locale;
  const query = args.trim();
  if (requireQuery && !query) return textReply(t(l, 'search.usage'));
  const page = await deps.headlines.query({
    ...(query ? { query } : {}),
    limit: 10,
    script: ctx.chat.script,
  });
  if (page.items.length === 0) return textReply(t(l, 'headlines.none'));
  const lines: Span[][] = [
    [
      {
        text: t(l, 'headlines.title', {
          query: query ? ` “${query}”` : '',
          shown: page.items.length,
          total: page.total,
        }),
        bold: true,
      },
    ],
  ];
  for (const h of page.items) {
    const also =
      h.alsoReportedBy.length > 0 ? ` (${t(l, 'digest.also', { names: h.alsoReportedBy.join(', ') })})` : '';
    lines.push([{ text: '• ' }, { text: h.title, url: h.url }, { text: ` — ${h.source}${also}` }]);
  }
  return { lines };
}

/** `/digest` — the chat's digest now, or "nothing new". */
export async function digestCommand(deps: CommandDeps, ctx: CommandContext): Promise<Reply> {
  const l = ctx.chat.locale;
  const outcome = await deps.digests.runNow(ctx.chat.key);
  if (outcome === 'no_subscriptions') return textReply(t(l, 'digest.noSubscriptions'));
  if (outcome === 'queued') return textReply(t(l, 'digest.queued'));
  return textReply(t(l, 'digest.empty'));
}
