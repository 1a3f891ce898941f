import { type Context, type Telegraf, TelegramError } from 'telegraf';
import { isPageAction } from '../../src/commands/command-actions.ts';
import { type CommandContext, type CommandServices, errorReply } from '../../src/commands/command-context.ts';
import { MANAGE_COMMANDS, runAction, runCommand, runImport } from '../../src/commands/command-router.ts';
import type { Reply } from '../../src/commands/reply.ts';
import { plainText, textReply } from '../../src/commands/reply.ts';
import type { Chat, Locale } from '../../src/domain/types.ts';
import { describeError } from '../../src/errors.ts';
import { localeFromTag, t } from '../../src/i18n/i18n.ts';
import { redactSecrets } from '../../src/log.ts';
import { displayUrl } from '../../src/sources/url-redaction.ts';
import {
  canManageHere,
  chatTypeOf,
  ensureChat,
  resolveManagedChannel,
  type TgChat,
} from './telegram-access.ts';
import {
  CHANNEL_COMMANDS,
  type ChannelArg,
  captionChannel,
  channelAction,
  channelArg,
  channelName,
  isImportCaption,
  parseChannelAction,
} from './telegram-channels.ts';
import { inlineKeyboard, renderReply, renderSingle } from './telegram-renderer.ts';
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

/**
 * The update types the handlers below use. Long polling and the webhook ask Telegram for exactly
 * these: Telegram sends a bot nothing else, and a type left out here is silently never handled.
 */
export const ALLOWED_UPDATES: Array<'message' | 'channel_post' | 'callback_query'> = [
  'message',
  'channel_post',
  'callback_query',
];

const MAX_FILE_BYTES = 512 * 1024;

/** A `/subscribe` probe running longer than this gets a "checking …" message first. */
export const CHECKING_AFTER_MS = 1_000;

/** Telegram shows at most 200 characters in the notice that answers a button press. */
const TOAST_CHARS = 200;

interface Msg {
  message_id: number;
  chat: TgChat;
  from?: { id: number; language_code?: string };
  sender_chat?: { id: number };
  text?: string;
  caption?: string;
  message_thread_id?: number;
  is_topic_message?: boolean;
  /** A channel post Telegram copied into the channel's discussion group. */
  is_automatic_forward?: boolean;
  migrate_to_chat_id?: number;
  document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
  reply_markup?: { inline_keyboard?: Array<Array<{ callback_data?: string }>> };
}

/** Where and how an answer goes. */
interface Answering {
  chatId: number;
  threadId: number | undefined;
  locale: Locale;
  /** Callback data of each button action (answers about a channel carry the channel); null drops it. */
  data: (action: string) => string | null;
}

/** The callback data of the buttons a message carries (what a genuine press can send). */
function buttonsOf(m: Msg): Set<string> {
  const data = (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data);
  return new Set(data.filter((d): d is string => typeof d === 'string'));
}

/** A short private answer to a button press: shown as Telegram's notice to the presser alone. */
function toastText(reply: Reply): string | null {
  if (!reply.private || reply.cards?.length || reply.buttons?.length || reply.file) return null;
  const text = plainText(reply);
  return reply.lines.length === 1 && [...text].length <= TOAST_CHARS ? text : null;
}

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

  const send = async (ctx: Context, to: Answering, reply: Reply) => {
    const markup = inlineKeyboard(reply, to.data);
    // Buttons page or change what their message shows: such a reply is one message.
    const parts = markup ? [renderSingle(reply, to.locale)] : renderReply(reply, to.locale);
    const thread = to.threadId !== undefined ? { message_thread_id: to.threadId } : {};
    for (const [i, html] of parts.entries()) {
      await ctx.telegram.sendMessage(to.chatId, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...thread,
        ...(markup && i === parts.length - 1 ? { reply_markup: markup } : {}),
      });
    }
    if (reply.file) {
      await ctx.telegram.sendDocument(
        to.chatId,
        { source: reply.file.data, filename: reply.file.name },
        thread,
      );
    }
  };

  const actorOf = (m: Msg): string | null => (m.from ? `telegram:${m.from.id}` : null);

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

  /**
   * The context of a command about a channel, typed in the private chat `here` by `userId`, and the
   * callback data of its buttons; the user and the bot must both administer the channel, else the
   * refusal sentence is returned.
   */
  const channelContext = async (
    ctx: Context,
    ref: string,
    userId: number,
    here: Chat,
  ): Promise<{ context: CommandContext; data: (action: string) => string | null } | string> => {
    const resolved = await resolveManagedChannel(ctx.telegram, ref, userId, ctx.botInfo.id);
    if (!resolved.ok) return t(here.locale, resolved.reason, { channel: ref });
    const channel = await ensureChat(
      services.chats,
      { ...resolved.chat, type: chatTypeOf(resolved.chat.type) },
      here.locale,
      here.timezone,
    );
    const id = String(resolved.chat.id);
    return {
      context: { ...contextFor(channel, true, undefined, channelName(resolved.chat)), locale: here.locale },
      data: (action) => channelAction(id, action),
    };
  };

  /** A channel argument typed in the private chat: the channel's context, or the refusal (answered). */
  const targetOf = async (
    ctx: Context,
    arg: ChannelArg,
    m: Msg,
    chat: Chat,
    answer: (r: Reply) => Promise<void>,
  ) => {
    if (arg.kind === 'none' || !m.from) return null;
    const found =
      arg.kind === 'bad'
        ? t(chat.locale, 'channel.badRef', { channel: arg.ref })
        : await channelContext(ctx, arg.ref, m.from.id, chat);
    if (typeof found === 'string') {
      await answer(textReply(found));
      return 'refused' as const;
    }
    return found;
  };

  const onDocument = async (
    ctx: Context,
    m: Msg,
    chat: Chat,
    here: Answering,
    canManage: () => Promise<boolean>,
  ) => {
    const doc = m.document;
    const name = (doc?.file_name ?? '').toLowerCase();
    const looksOpml = /\.(opml|xml)$/.test(name) || /opml|xml/.test(doc?.mime_type ?? '');
    if (!doc || !looksOpml) return;
    // Every channel post is an admin's: only a file captioned /import is meant for the bot.
    if (m.chat.type === 'channel' && !isImportCaption(m.caption, ctx.botInfo.username)) return;
    const answer = (r: Reply) => send(ctx, here, r);
    if ((doc.file_size ?? 0) > MAX_FILE_BYTES) {
      await answer(textReply(t(chat.locale, 'import.tooLarge', { max: MAX_FILE_BYTES / 1024 })));
      return;
    }
    let context: CommandContext = contextFor(chat, await canManage(), topicOf(m), null);
    if (m.chat.type === 'private') {
      const target = await targetOf(ctx, captionChannel(m.caption), m, chat, answer);
      if (target === 'refused') return;
      if (target) context = target.context;
    }
    const data = await deps.download(await ctx.telegram.getFileLink(doc.file_id));
    await answer(await runImport(services, { ...context, actor: actorOf(m) }, data));
  };

  const onMessage = async (ctx: Context, m: Msg) => {
    if (m.migrate_to_chat_id !== undefined) {
      await services.chats.migrate(`telegram:${m.chat.id}`, {
        chatId: String(m.migrate_to_chat_id),
        type: 'supergroup',
      });
      return;
    }
    // The channel post itself is answered in the channel; its copy in the discussion group is not a command.
    if (m.is_automatic_forward) return;
    const chat = await ensureChat(services.chats, m.chat, localeOf(m), deps.defaultTimezone);
    const topic = topicOf(m);
    const inChannel = m.chat.type === 'channel';
    const here: Answering = {
      chatId: m.chat.id,
      threadId: topic,
      locale: chat.locale,
      // Page buttons on a channel post would let every reader flip the post for everyone.
      data: (action) => (inChannel && (action === 'noop' || isPageAction(action)) ? null : action),
    };
    const canManage = () => canManageHere(ctx.telegram, m.chat, m.from, m.sender_chat);
    if (m.document) {
      await onDocument(ctx, m, chat, here, canManage);
      return;
    }
    const text = m.text ?? '';
    const cmd = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
    const answer = (r: Reply, to: Answering = here) => send(ctx, to, r);
    if (!cmd) {
      if (m.chat.type === 'private' && text) await answer(textReply(t(chat.locale, 'unknown.text')));
      return;
    }
    const [, rawName, mention, rest] = cmd;
    if (mention && ctx.botInfo && mention.toLowerCase() !== ctx.botInfo.username.toLowerCase()) return;
    const name = rawName!.toLowerCase();
    let args = (rest ?? '').trim();
    let context: CommandContext;
    let to = here;
    const arg = m.chat.type === 'private' && CHANNEL_COMMANDS.has(name) ? channelArg(args) : null;
    const target = arg ? await targetOf(ctx, arg, m, chat, answer) : null;
    if (target === 'refused') return;
    if (target && arg?.kind === 'channel') {
      context = target.context;
      to = { ...here, data: target.data };
      args = arg.rest;
    } else {
      context = contextFor(chat, MANAGE_COMMANDS.has(name) ? await canManage() : false, topic, null);
    }
    // Who adds a source counts for ALLOWED_USERS and MAX_SOURCES_PER_USER; a channel post names nobody.
    context = { ...context, actor: actorOf(m) };
    const work = runCommand(services, context, name, args);
    // A feed URL is probed before it is added, which a slow site stretches to the fetch time-out:
    // say what is happening when it takes long, then answer.
    let checking: Promise<void> | null = null;
    const timer =
      name === 'subscribe' && /^https?:\/\//i.test(args)
        ? setTimeout(() => {
            checking = answer(
              textReply(t(context.locale, 'subscribe.checking', { url: displayUrl(args).slice(0, 200) })),
            );
          }, CHECKING_AFTER_MS)
        : undefined;
    const reply = await work;
    clearTimeout(timer);
    await (checking as Promise<void> | null)?.catch(() => {});
    await answer(reply, to);
  };

  /** Run a message's work in its chat's lane; a failure (database, Telegram) still gets an answer. */
  const handle = (ctx: Context, m: Msg) => {
    const arrived = performance.now();
    lanes.run(String(m.chat.id), async () => {
      try {
        await onMessage(ctx, m);
      } catch (err) {
        // The database or Telegram failed us: say so, so the user knows to try again.
        const locale = localeOf(m);
        const reply = errorReply({ locale, syntax: 'text' }, err, services.log);
        const to = { chatId: m.chat.id, threadId: topicOf(m), locale, data: (a: string) => a };
        await send(ctx, to, reply).catch(() => {});
      }
      deps.onAnswered?.(performance.now() - arrived);
    });
  };

  bot.on('message', (ctx) => handle(ctx, ctx.message as unknown as Msg));
  // Commands an admin posts in a channel: they come from the channel itself (`sender_chat`).
  bot.on('channel_post', (ctx) => handle(ctx, ctx.channelPost as unknown as Msg));

  bot.on('callback_query', (ctx) => {
    const q = ctx.callbackQuery as unknown as {
      data?: string;
      from: { id: number; language_code?: string };
      message?: Msg;
    };
    const m = q.message;
    lanes.run(String(m?.chat.id ?? q.from.id), async () => {
      const notice = async (text?: string) => {
        await ctx.answerCbQuery(text);
      };
      if (!m || !q.data) return notice();
      const chat = await ensureChat(services.chats, m.chat, localeOf(q), deps.defaultTimezone);
      // Callback data comes from the client: act only on data of a button the message really has.
      if (!buttonsOf(m).has(q.data))
        return notice(isPageAction(q.data) ? t(chat.locale, 'page.expired') : undefined);
      const topic = topicOf(m);
      let context: CommandContext;
      let action = q.data;
      let data = (a: string): string | null => a;
      const onChannel = parseChannelAction(q.data);
      if (onChannel) {
        if (m.chat.type !== 'private') return notice();
        const found = await channelContext(ctx, onChannel.channelId, q.from.id, chat);
        if (typeof found === 'string') return notice(found.slice(0, TOAST_CHARS));
        ({ context, data } = found);
        action = onChannel.action;
      } else {
        context = contextFor(chat, await canManageHere(ctx.telegram, m.chat, q.from, undefined), topic, null);
      }
      const reply = await runAction(services, context, action);
      if (!reply || (reply.lines.length === 0 && !reply.cards?.length)) return notice();
      const toast = toastText(reply);
      if (toast !== null) return notice(toast);
      const to: Answering = { chatId: m.chat.id, threadId: topic, locale: context.locale, data };
      // The press is answered once its result shows (the client's spinner ends with it), and always.
      try {
        if (!reply.edit) {
          await send(ctx, to, reply);
          return;
        }
        const markup = inlineKeyboard(reply, data);
        await ctx.telegram
          .editMessageText(m.chat.id, m.message_id, undefined, renderSingle(reply, context.locale), {
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            ...(markup ? { reply_markup: markup } : {}),
          })
          .catch((err: unknown) => {
            // Pressing the page that is already shown changes nothing: Telegram says so; fine.
            if (!(err instanceof TelegramError && /message is not modified/i.test(err.description)))
              throw err;
          });
      } finally {
        await notice();
      }
    });
  });

  bot.catch((err) => {
    services.log.warn({ err: redactSecrets(describeError(err)) }, 'telegram update failed');
  });
  return lanes;
}
