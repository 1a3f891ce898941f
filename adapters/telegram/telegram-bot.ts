import type { Context, Telegraf } from 'telegraf';
import type { CommandContext, CommandDeps } from '../../src/commands/command-context.ts';
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
import type { Logger } from '../../src/log.ts';
import { redactSecrets } from '../../src/log.ts';
import { chatKeyOf } from '../../src/store/chat-store.ts';
import {
  canManageHere,
  chatTypeOf,
  ensureChat,
  resolveManagedChannel,
  type TgChat,
} from './telegram-access.ts';
import { inlineKeyboard, renderReply } from './telegram-renderer.ts';

/** What the bot's handlers need. */
export interface BotDeps {
  commands: CommandDeps;
  defaultLocale: Locale;
  defaultTimezone: string;
  log: Logger;
  /** Fetches a Telegram file URL (holds the token: never logged). */
  download: (url: URL) => Promise<Buffer>;
}

const MAX_FILE_BYTES = 512 * 1024;

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

/** Install newsrelay's handlers on a telegraf bot. */
export function installHandlers(bot: Telegraf, deps: BotDeps): void {
  const localeOf = (m: { from?: { language_code?: string } }) =>
    localeFromTag(m.from?.language_code, deps.defaultLocale);

  const send = async (ctx: Context, chatId: number, reply: Reply, threadId: number | undefined) => {
    const parts = renderReply(reply);
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

  bot.on('message', async (ctx) => {
    const m = ctx.message as unknown as Msg;
    const chats = deps.commands.chats;
    if (m.migrate_to_chat_id !== undefined) {
      await chats.migrate(chatKeyOf('telegram', m.chat.id), {
        chatId: String(m.migrate_to_chat_id),
        type: 'supergroup',
      });
      const moved = await chats.get(chatKeyOf('telegram', m.migrate_to_chat_id));
      if (moved) await deps.commands.schedules.sync(null, moved);
      return;
    }
    const chat = await ensureChat(chats, m.chat, localeOf(m), deps.defaultTimezone);
    const topic = topicOf(m);
    const base = async (target: Chat, canManage?: boolean): Promise<CommandContext> => ({
      chat: target,
      canManage: canManage ?? (await canManageHere(ctx.telegram, m.chat, m.from, m.sender_chat)),
      threadId: topic !== undefined ? String(topic) : null,
    });
    if (m.document) {
      const name = (m.document.file_name ?? '').toLowerCase();
      const looksOpml = /\.(opml|xml)$/.test(name) || /opml|xml/.test(m.document.mime_type ?? '');
      if (!looksOpml) return;
      const c = await base(chat);
      if ((m.document.file_size ?? 0) > MAX_FILE_BYTES) {
        await send(
          ctx,
          m.chat.id,
          textReply(t(chat.locale, 'import.tooLarge', { max: MAX_FILE_BYTES / 1024 })),
          topic,
        );
        return;
      }
      const data = await deps.download(await ctx.telegram.getFileLink(m.document.file_id));
      await send(ctx, m.chat.id, await runImport(deps.commands, c, data), topic);
      return;
    }
    const text = m.text ?? '';
    const cmd = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!cmd) {
      if (m.chat.type === 'private' && text)
        await send(ctx, m.chat.id, textReply(t(chat.locale, 'unknown.text')), topic);
      return;
    }
    const [, rawName, mention, rest] = cmd;
    if (mention && ctx.botInfo && mention.toLowerCase() !== ctx.botInfo.username.toLowerCase()) return;
    const name = rawName!.toLowerCase();
    let args = (rest ?? '').trim();
    let context: CommandContext;
    const channel = /^(@[A-Za-z0-9_]{4,64})(?:\s+([\s\S]*))?$/.exec(args);
    if (m.chat.type === 'private' && channel && isCommand(name) && m.from) {
      const resolved = await resolveManagedChannel(ctx.telegram, channel[1]!, m.from.id, ctx.botInfo.id);
      if (!resolved.ok) {
        await send(
          ctx,
          m.chat.id,
          textReply(t(chat.locale, resolved.reason, { channel: channel[1]! })),
          topic,
        );
        return;
      }
      const target = await ensureChat(
        chats,
        { ...resolved.chat, type: chatTypeOf(resolved.chat.type) },
        chat.locale,
        chat.timezone,
      );
      context = { chat: target, canManage: true, threadId: null };
      args = (channel[2] ?? '').trim();
    } else {
      context = await base(chat, MANAGE_COMMANDS.has(name) ? undefined : false);
    }
    await send(ctx, m.chat.id, await runCommand(deps.commands, context, name, args), topic);
  });

  bot.on('callback_query', async (ctx) => {
    const q = ctx.callbackQuery as unknown as {
      data?: string;
      from: { id: number; language_code?: string };
      message?: Msg;
    };
    const m = q.message;
    if (!m || !q.data) {
      await ctx.answerCbQuery();
      return;
    }
    const chat = await ensureChat(deps.commands.chats, m.chat, localeOf(q), deps.defaultTimezone);
    const context: CommandContext = {
      chat,
      canManage: await canManageHere(ctx.telegram, m.chat, q.from, undefined),
      threadId: topicOf(m) !== undefined ? String(topicOf(m)) : null,
    };
    const reply = await runAction(deps.commands, context, q.data);
    await ctx.answerCbQuery();
    if (!reply) return;
    const html = renderReply(reply)[0];
    if (reply.edit && html) {
      const markup = inlineKeyboard(reply);
      await ctx.telegram
        .editMessageText(m.chat.id, m.message_id, undefined, html, {
          parse_mode: 'HTML',
          ...(markup ? { reply_markup: markup } : {}),
        })
        .catch(() => undefined);
      return;
    }
    await send(ctx, m.chat.id, reply, topicOf(m));
  });

  bot.catch((err) => {
    deps.log.warn({ err: redactSecrets(describeError(err)) }, 'telegram update failed');
  });
}
