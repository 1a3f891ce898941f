import { type ButtonInteraction, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import { NO_MENTIONS } from './embed-limits.ts';
import type { DiscordAnswer } from './reply-renderer.ts';

/** Wait this long for the answer before deferring (Discord's window is 3 s, and the network takes its share). */
export const DEFER_AFTER_MS = 1_500;

type Answerable = ChatInputCommandInteraction | ButtonInteraction;

/**
 * Answer an interaction inside Discord's 3-second window: run `work`; if it is not done within
 * {@link DEFER_AFTER_MS}, defer (a deferred reply, or a deferred update for a button) and edit
 * the answer in when it is ready. With `deferFirst` (the process is busy), the deferral is sent
 * and acknowledged before `work` is even started: work started first would compete with the
 * deferral's HTTP round trip for the one event loop, and CPU-bound queries win that race.
 * An ephemeral answer after a public deferral is sent as an ephemeral follow-up and the
 * "thinking…" placeholder is deleted.
 */
export async function answer(
  i: Answerable,
  work: () => Promise<DiscordAnswer>,
  opts: { ephemeralDefer?: boolean; deferFirst?: boolean } = {},
): Promise<void> {
  const defer = async () => {
    if (i.isButton()) await i.deferUpdate();
    else await i.deferReply(opts.ephemeralDefer ? { flags: MessageFlags.Ephemeral } : {});
  };
  if (opts.deferFirst) {
    await defer();
    await send(i, await work(), true);
    return;
  }
  const pending = work();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), DEFER_AFTER_MS);
  });
  const first = await Promise.race([
    pending.then(
      (r) => ({ r }),
      (e: unknown) => ({ e }),
    ),
    timeout,
  ]);
  clearTimeout(timer);
  if (first !== 'late') {
    if ('e' in first) throw first.e;
    await send(i, first.r, false);
    return;
  }
  await defer();
  const reply = await pending;
  await send(i, reply, true);
}

/** Send `reply` as the interaction's first answer (`deferred` false) or after a deferral. */
export async function send(i: Answerable, reply: DiscordAnswer, deferred: boolean): Promise<void> {
  const body = {
    content: reply.content ?? '',
    embeds: reply.embeds ?? [],
    components: reply.components ?? [],
    allowedMentions: NO_MENTIONS,
  };
  const ephemeral = reply.ephemeral === true;
  if (!deferred && !i.deferred && !i.replied) {
    if (i.isButton() && !ephemeral) await i.update(body);
    else await i.reply({ ...body, ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
    return;
  }
  const deferredEphemeral = i.isChatInputCommand() && i.ephemeral === true;
  if (ephemeral && !deferredEphemeral) {
    await i.followUp({ ...body, flags: MessageFlags.Ephemeral });
    if (i.isChatInputCommand()) await i.deleteReply().catch(() => {});
    return;
  }
  await i.editReply(body);
}
