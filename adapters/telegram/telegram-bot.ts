import type { Context, Telegraf } from 'telegraf';
import { type CommandContext, type CommandServices, errorReply } from '../../src/commands/command-context.ts';
import {
  isCommand,
  MANAGE_COMMANDS,
  runAction,
  runCommand,
  runImport,
} from '../../src/commands/command-router.ts';
import type { Reply } from '../../src/commands/reply.ts';
import { textReply } from '../../src/commands/reply.ts';
import type { Chat, Locale } from '../../src/domain/types.ts';
import { describeError } from '../../src/errors.ts';
import { localeFromTag, t } from '../../src/i18n/i18n.ts';
import { redactSecrets } from '../../src/log.ts';
import {
  canManageHere,
  chatTypeOf,
  ensureChat,
  resolveManagedChannel,
  type TgChat,
} from './telegram-access.ts';
import { inlineKeyboard, renderReply } from './telegram-renderer.ts';
import { UpdateLanes } from './update-lanes.ts';

/** What the bot's handlers need. */
export interface BotDeps {
  services: CommandServices;
  defaultLocale: Locale;
  defaultTimezone: string;
  /** Fetches a Telegram file URL (holds the token: never logged). */
  download: (url: URL) => Promise<Buffer>;
  /** Observes how long each update took from arrival to its answer (metrics). */
  onAnswered?: (ms: number) => void;
}

const MAX_FILE_BYTES = 512 * 1024;

/** A `/subscribe` probe running longer than this gets a "checking …" message first. */
export const CHECKING_AFTER_MS = 1_000;

interface Msg {
  message_id: number;
  chat: TgChat;
  from?: { id: number; language_code?: string };
  sender_chat?: { id: number };
  text?: string;
  caption?: string;
  message_thread_id?: number;
  is_topic_message?: boolean;
  migrate_to_chat_id?: number;
  document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
}

/** A channel named in a command typed in a private chat: `@name` or its numeric id. */
const CHANNEL_ARG = /^(@[A-Za-z0-9_]{4,64}|-100\d{5,15})(?:\s+([\s\S]*))?$/;

/**
 * Install newsrelay's handlers on a telegraf bot. Handlers return at once: each update's work runs
 * in its chat's lane (in order within a chat, chats in parallel), so a slow `/subscribe` probe
 * never holds up the update loop and other chats' commands. Returns the lanes, to drain on stop.
 */
export function installHandlers(bot: Telegraf, deps: BotDeps): UpdateLanes {
  const { services } = deps;
  const lanes = new UpdateLanes((err) =>
    services.log.warn({ err: redactSecrets(describeError(err)) }, 'telegram update failed'),
  );
  const localeOf = (m: { from?: { language_code?: string } }) =>
    localeFromTag(m.from?.language_code, deps.defaultLocale);

  const send = async (
    ctx: Context,
    chatId: number,
    reply: Reply,
    threadId: number | undefined,
    locale: Locale,
  ) => {
    const parts = renderReply(reply, locale);
    const markup = inlineKeyboard(reply);
    for (const [i, html] of parts.entries()) {
      await ctx.telegram.sendMessage(chatId, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
        ...(markup && i === parts.length - 1 ? { reply_markup: markup } : {}),
      });
    }
    if (reply.file) {
      await ctx.telegram.sendDocument(
        chatId,
        { source: reply.file.data, filename: reply.file.name },
        threadId !== undefined ? { message_thread_id: threadId } : {},
      );
    }
  };

  const topicOf = (m: Msg): number | undefined =>
    m.is_topic_message && m.message_thread_id ? m.message_thread_id : undefined;

  const contextFor = (chat: Chat, canManage: boolean, topic: number | undefined, target: string | null) =>
    ({
      chat,
      locale: chat.locale,
      canManage,
      refusal: 'admin.only',
      threadId: topic !== undefined ? String(topic) : null,
      target,
      syntax: 'text',
    }) satisfies CommandContext;

  const onMessage = async (ctx: Context, m: Msg) => {
    if (m.migrate_to_chat_id !== undefined) {
      await services.chats.migrate(`telegram:${m.chat.id}`, {
        chatId: String(m.migrate_to_chat_id),
        type: 'supergroup',
      });
      return;
    }
    const chat = await ensureChat(services.chats, m.chat, localeOf(m), deps.defaultTimezone);
    const topic = topicOf(m);
    const reply = (r: Reply) => send(ctx, m.chat.id, r, topic, chat.locale);
    const canManage = () => canManageHere(ctx.telegram, m.chat, m.from, m.sender_chat);
    if (m.document) {
      const name = (m.document.file_name ?? '').toLowerCase();
      const looksOpml = /\.(opml|xml)$/.test(name) || /opml|xml/.test(m.document.mime_type ?? '');
      if (!looksOpml) return;
      if ((m.document.file_size ?? 0) > MAX_FILE_BYTES) {
        await reply(textReply(t(chat.locale, 'import.tooLarge', { max: MAX_FILE_BYTES / 1024 })));
        return;
      }
      const c = contextFor(chat, await canManage(), topic, null);
      const data = await deps.download(await ctx.telegram.getFileLink(m.document.file_id));
      await reply(await runImport(services, c, data));
      return;
    }
    const text = m.text ?? '';
    const cmd = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!cmd) {
      if (m.chat.type === 'private' && text) await reply(textReply(t(chat.locale, 'unknown.text')));
      return;
    }
    const [, rawName, mention, rest] = cmd;
    if (mention && ctx.botInfo && mention.toLowerCase() !== ctx.botInfo.username.toLowerCase()) return;
    const name = rawName!.toLowerCase();
    let args = (rest ?? '').trim();
    let context: CommandContext;
    const channel = CHANNEL_ARG.exec(args);
    if (m.chat.type === 'private' && channel && isCommand(name) && m.from) {
      const resolved = await resolveManagedChannel(ctx.telegram, channel[1]!, m.from.id, ctx.botInfo.id);
      if (!resolved.ok) {
        await reply(textReply(t(chat.locale, resolved.reason, { channel: channel[1]! })));
        return;
      }
      const target = await ensureChat(
        services.chats,
        { ...resolved.chat, type: chatTypeOf(resolved.chat.type) },
        chat.locale,
        chat.timezone,
      );
      context = { ...contextFor(target, true, undefined, null), locale: chat.locale };
      args = (channel[2] ?? '').trim();
    } else {
      context = contextFor(chat, MANAGE_COMMANDS.has(name) ? await canManage() : false, topic, null);
    }
    const work = runCommand(services, context, name, args);
    // A feed URL is probed before it is added, which a slow site stretches to the fetch time-out:
    // say what is happening when it takes long, then answer.
    let checking: Promise<void> | null = null;
    const timer =
      name === 'subscribe' && /^https?:\/\//i.test(args)
        ? setTimeout(() => {
            checking = reply(textReply(t(context.locale, 'subscribe.checking', { url: args.slice(0, 200) })));
          }, CHECKING_AFTER_MS)
        : undefined;
    const answer = await work;
    clearTimeout(timer);
    await (checking as Promise<void> | null)?.catch(() => {});
    await reply(answer);
  };

  bot.on('message', (ctx) => {
    const m = ctx.message as unknown as Msg;
    const arrived = performance.now();
    lanes.run(String(m.chat.id), async () => {
      try {
        await onMessage(ctx, m);
      } catch (err) {
        // The database or Telegram failed us: say so, so the user knows to try again.
        const reply = errorReply({ locale: localeOf(m), syntax: 'text' }, err, services.log);
        await send(ctx, m.chat.id, reply, topicOf(m), localeOf(m)).catch(() => {});
      }
      deps.onAnswered?.(performance.now() - arrived);
    });
  });

  bot.on('callback_query', (ctx) => {
    const q = ctx.callbackQuery as unknown as {
      data?: string;
      from: { id: number; language_code?: string };
      message?: Msg;
    };
    const m = q.message;
    lanes.run(String(m?.chat.id ?? q.from.id), async () => {
      if (!m || !q.data) {
        await ctx.answerCbQuery();
        return;
      }
      const chat = await ensureChat(services.chats, m.chat, localeOf(q), deps.defaultTimezone);
      const topic = topicOf(m);
      const context = contextFor(
        chat,
        await canManageHere(ctx.telegram, m.chat, q.from, undefined),
        topic,
        null,
      );
      const reply = await runAction(services, context, q.data);
      await ctx.answerCbQuery();
      if (!reply || (reply.lines.length === 0 && !reply.cards?.length)) return;
      const html = renderReply(reply, context.locale)[0];
      if (reply.edit && html) {
        const markup = inlineKeyboard(reply);
        await ctx.telegram
          .editMessageText(m.chat.id, m.message_id, undefined, html, {
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            ...(markup ? { reply_markup: markup } : {}),
          })
          .catch(() => undefined);
        return;
      }
      await send(ctx, m.chat.id, reply, topic, context.locale);
    });
  });

  bot.catch((err) => {
    services.log.warn({ err: redactSecrets(describeError(err)) }, 'telegram update failed');
  });
  return lanes;
}
