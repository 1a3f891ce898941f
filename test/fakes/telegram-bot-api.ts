/**
 * A local fake of the Telegram Bot API for tests that drive the real telegraf client
 * (`new Telegraf(token, { telegram: { apiRoot: fake.url } })`). It answers `POST /bot<token>/<method>` with
 * JSON or multipart bodies the way api.telegram.org does (`{ ok, result }` or
 * `{ ok: false, error_code, description, parameters }`), holds `getUpdates` long polls, validates texts
 * like Telegram (length, HTML entities, forum threads), and records every call.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendLog } from './send-log.ts';
import { type HtmlEntity, parseTelegramHtml } from './telegram-html-validator.ts';

/** A chat as the fake knows it (the Bot API's `Chat` object). */
export interface FakeChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  is_forum?: boolean;
}
/** A user writing to the bot. */
export interface FakeUser {
  id: number;
  language_code?: string;
  first_name?: string;
  username?: string;
}
/** One HTTP call the fake received (also calls with a wrong token or an injected failure). */
export interface RecordedCall {
  method: string;
  token: string;
  params: Record<string, unknown>;
  at: number;
  files?: Array<{ field: string; filename: string; data: Buffer }>;
}
/** Errors that {@link FakeTelegram.failNext} can inject. */
export type InjectedError =
  | { error_code: 429; retry_after: number }
  | { error_code: 403; description?: string }
  | { error_code: 400; description: string }
  | { error_code: 500 | 502 };
/** A message the bot sent, as it currently stands in the chat (after edits; deleted ones are gone). */
export interface SentMessage {
  chat_id: number;
  message_id: number;
  date: number;
  text?: string;
  caption?: string;
  entities?: HtmlEntity[];
  parse_mode?: string;
  reply_markup?: unknown;
  message_thread_id?: number;
  link_preview_options?: unknown;
  disable_web_page_preview?: boolean;
  document?: { file_id: string; file_name: string; data?: Buffer };
  /** a photo sent by URL (`url`) or by upload / file id */
  photo?: { file_id: string; url?: string };
  edited?: boolean;
}
/** Rate limits; exceeding one answers 429 with `retry_after` (seconds, rounded up). */
export interface FakeRateLimit {
  perSecond?: number;
  perChatPerSecond?: number;
  perGroupPerMinute?: number;
}
/** Options of {@link startFakeTelegram}. */
export interface FakeTelegramOptions {
  token?: string;
  botUser?: { id: number; username: string; first_name: string };
  /** unknown chat ids answer 400 "chat not found" (default false: any numeric id is a chat) */
  strictChats?: boolean;
  /** 'strict' (default) rejects `&` not forming a supported entity; 'telegram' keeps it literally as Telegram does */
  htmlEntities?: 'strict' | 'telegram';
}
/** Handle on a running fake; see {@link startFakeTelegram}. */
export interface FakeTelegram {
  /** apiRoot for telegraf, e.g. `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly token: string;
  readonly botUser: { id: number; username: string; first_name: string };
  /** every call, in order */
  readonly calls: RecordedCall[];
  strictChats: boolean;
  callsTo(method: string): RecordedCall[];
  /** queues an update (assigning `update_id` if missing): answers a pending `getUpdates`, or POSTs it to the
   * webhook set with setWebhook (with `X-Telegram-Bot-Api-Secret-Token`; a webhook reply is run as a call) */
  pushUpdate(update: object): void;
  /** updates not yet confirmed by a later `getUpdates` offset */
  pendingUpdates(): object[];
  /** a user's text message; `/cmd` gets a bot_command entity; with `document`, text becomes the caption */
  sendText(
    chat: FakeChat,
    from: FakeUser,
    text: string,
    extra?: {
      message_thread_id?: number;
      document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
    },
  ): number;
  /**
   * a post in a channel (a `channel_post` update: `sender_chat` is the channel, no `from`); `/cmd` gets a
   * bot_command entity; with `document`, text becomes the caption
   */
  postInChannel(
    channel: FakeChat,
    text: string,
    extra?: {
      author_signature?: string;
      document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
    },
  ): number;
  /** a callback_query for an inline button with `data` on message `messageId` */
  pressButton(chat: FakeChat, from: FakeUser, data: string, messageId: number): string;
  /**
   * update types the bot asked for (`allowed_updates` of its last getUpdates or setWebhook that named
   * some); null for the default (every type but chat_member and reactions)
   */
  allowedUpdates(): string[] | null;
  /** updates that were never delivered because their type was not among the allowed ones */
  droppedUpdates(): object[];
  /** the next `count` (default 1) calls of `method` ('*' = any message send) answer with `error` */
  failNext(method: string, error: InjectedError, count?: number): void;
  /** message sends (send* except sendChatAction) over a limit answer 429; null turns limits off */
  setRateLimit(opts: FakeRateLimit | null): void;
  setChatMember(
    chatId: number | string,
    userId: number,
    status: 'creator' | 'administrator' | 'member' | 'left' | 'kicked',
  ): void;
  /** registers a chat for getChat (also by `@username`) and thread checks (`is_forum`) */
  setChat(chat: FakeChat): void;
  /** sends to the chat answer 403 (private: "bot was blocked by the user") */
  blockChat(chatId: number | string): void;
  unblockChat(chatId: number | string): void;
  /** a file for getFile and `GET /file/bot<token>/<file_path>` */
  addFile(fileId: string, data: Buffer, fileName: string): void;
  /**
   * sendPhoto with this URL answers 400 as Telegram does when it cannot use the photo (default
   * "failed to get HTTP URL content"; e.g. "wrong type of the web page content" for a page)
   */
  refusePhotoUrl(url: string, description?: string): void;
  sentMessages(chatId?: number | string): SentMessage[];
  /** forgets everything except the update_id counter; pending polls stay open */
  reset(): void;
  /** answers pending polls with `[]` and stops the server */
  close(): Promise<void>;
}

type Params = Record<string, unknown>;
type Files = NonNullable<RecordedCall['files']>;
interface Held {
  message: Record<string, unknown>;
  sent?: SentMessage;
}
interface Poll {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer?: NodeJS.Timeout;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}
const bad = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);
const tooManyRequests = (seconds: number): ApiError =>
  new ApiError(429, `Too Many Requests: retry after ${seconds}`, seconds);
const CONFLICT_POLL =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const JSON_FIELDS = new Set(
  'reply_markup entities caption_entities link_preview_options reply_parameters allowed_updates commands scope'.split(
    ' ',
  ),
);
const NUMBER_FIELDS = new Set('chat_id message_id message_thread_id user_id reply_to_message_id'.split(' '));
const POLL = Symbol('poll');
/** Update types Telegram sends when a bot never named any (Bot API: all but these three). */
const NOT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
/** Telegram's limit on callback_data, in bytes. */
const CALLBACK_DATA_BYTES = 64;
const isSend = (method: string): boolean => method.startsWith('send') && method !== 'sendChatAction';
const now = (): number => Math.floor(Date.now() / 1000);

function parseMultipart(body: Buffer, boundary: string): { params: Params; files: Files } {
  const params: Params = {};
  const files: Files = [];
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const data = Buffer.concat([Buffer.from('\r\n'), body]);
  let pos = data.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (data.subarray(start, start + 2).toString() === '--') break;
    const next = data.indexOf(delimiter, start);
    const part = data.subarray(start + 2, next === -1 ? data.length : next);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString();
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined && filename !== undefined) files.push({ field: name, filename, data: content });
    else if (name !== undefined) params[name] = content.toString('utf8');
    pos = next;
  }
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    if (JSON_FIELDS.has(key) && /^[[{]/.test(value)) params[key] = JSON.parse(value);
    else if (NUMBER_FIELDS.has(key) && /^-?\d+$/.test(value)) params[key] = Number(value);
  }
  delete params.method;
  return { params, files };
}

/** Starts the fake on 127.0.0.1 with a random port. Default token `123456:TEST-TOKEN`. */
export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = opts.token ?? '123456:TEST-TOKEN';
  const botUser = opts.botUser ?? { id: 123456, username: 'newsrelay_test_bot', first_name: 'NewsRelay' };
  const strictEntities = (opts.htmlEntities ?? 'strict') === 'strict';
  const calls: RecordedCall[] = [];
  const polls = new Set<Poll>();
  let nextUpdateId = 1;
  let seq = 0;
  let updates: Array<{ update_id: number }> = [];
  let failures: Array<{ method: string; error: InjectedError; remaining: number }> = [];
  let rate: FakeRateLimit | null = null;
  const sendLog = new SendLog();
  const chats = new Map<string, FakeChat>();
  const usernames = new Map<string, string>();
  const members = new Map<string, string>();
  const blocked = new Set<string>();
  const files = new Map<string, { data: Buffer; fileName: string; path: string }>();
  const refusedPhotos = new Map<string, string>();
  const held = new Map<string, Held>();
  let botMessages: SentMessage[] = [];
  const counters = new Map<string, number>();
  const callbackIds = new Set<string>();
  const commands = new Map<string, unknown>();
  let webhook: { url: string; secret?: string } | null = null;
  let delivering = false;
  let allowed: string[] | null = null;
  let dropped: object[] = [];
  const setAllowed = (value: unknown): void => {
    const list = typeof value === 'string' && value.startsWith('[') ? (JSON.parse(value) as unknown) : value;
    // An empty list asks for the default types again (Bot API).
    if (Array.isArray(list)) allowed = list.length > 0 ? list.map(String) : null;
  };
  /** Telegram stores only updates of the types the bot asked for. */
  const isAllowed = (update: object): boolean => {
    const type = Object.keys(update).find((k) => k !== 'update_id') ?? '';
    return allowed === null ? !NOT_BY_DEFAULT.has(type) : allowed.includes(type);
  };
  /** Telegram's checks of an inline keyboard (other markups pass unchecked). */
  const checkMarkup = (markup: unknown): void => {
    if (typeof markup !== 'object' || markup === null || !('inline_keyboard' in markup)) return;
    const rows = (markup as { inline_keyboard: unknown }).inline_keyboard;
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r)))
      throw bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    for (const button of rows.flat() as Array<Record<string, unknown>>) {
      if (typeof button.text !== 'string' || button.text === '') throw bad('BUTTON_TEXT_INVALID');
      const data = button.callback_data;
      if (data !== undefined) {
        if (typeof data !== 'string' || data === '' || Buffer.byteLength(data) > CALLBACK_DATA_BYTES)
          throw bad('BUTTON_DATA_INVALID');
      } else if (button.url === undefined && button.switch_inline_query === undefined) {
        throw bad('text buttons are unallowed in the inline keyboard');
      }
    }
  };

  /** Chat key for a chat_id (number, numeric string or @username); null if it can't be resolved. */
  const keyOf = (chatId: unknown): string | null => {
    if (typeof chatId === 'number' && Number.isInteger(chatId)) return String(chatId);
    if (typeof chatId !== 'string') return null;
    if (/^-?\d+$/.test(chatId)) return String(Number(chatId));
    return usernames.get(chatId.toLowerCase()) ?? null;
  };
  const chatOf = (key: string): FakeChat =>
    chats.get(key) ?? { id: Number(key), type: Number(key) > 0 ? 'private' : 'supergroup' };
  const requireChat = (chatId: unknown): { key: string; chat: FakeChat } => {
    if (chatId === undefined || chatId === '') throw bad('chat_id is empty');
    const key = keyOf(chatId);
    if (key === null || (fake.strictChats && !chats.has(key))) throw bad('chat not found');
    return { key, chat: chatOf(key) };
  };
  const requireSendable = (chatId: unknown): { key: string; chat: FakeChat } => {
    const found = requireChat(chatId);
    if (blocked.has(found.key)) {
      const why = {
        private: 'bot was blocked by the user',
        group: 'bot was kicked from the group chat',
        supergroup: 'bot was kicked from the supergroup chat',
        channel: 'bot is not a member of the channel chat',
      }[found.chat.type];
      throw new ApiError(403, `Forbidden: ${why}`);
    }
    return found;
  };
  const nextMessageId = (key: string): number => {
    const id = (counters.get(key) ?? 0) + 1;
    counters.set(key, id);
    return id;
  };
  const user = (from: FakeUser): Record<string, unknown> => ({ is_bot: false, first_name: 'Test', ...from });
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined;
  const findHeld = (key: string, messageId: unknown, missing: string): Held => {
    const found = held.get(`${key}:${num(messageId)}`);
    if (found === undefined) throw bad(missing);
    return found;
  };

  /** Telegram's text checks: parse entities, non-empty, length limit. */
  const formatText = (text: unknown, parseMode: unknown, limit: number, what: 'text' | 'caption') => {
    if (typeof text !== 'string' || text === '') {
      if (what === 'caption') return { text: '', entities: [] as HtmlEntity[] };
      throw bad('message text is empty');
    }
    let plain = text;
    let entities: HtmlEntity[] = [];
    if (typeof parseMode === 'string' && parseMode.toLowerCase() === 'html') {
      const parsed = parseTelegramHtml(text, strictEntities);
      if (!parsed.ok) throw bad(`can't parse entities: ${parsed.error}`);
      plain = parsed.text;
      entities = parsed.entities;
    } else if (parseMode !== undefined && parseMode !== '' && !/^markdown(v2)?$/i.test(String(parseMode))) {
      throw bad(`unsupported parse_mode`);
    }
    if (plain.trim() === '' && what === 'text') throw bad('message text is empty');
    if (plain.trim().length > limit)
      throw bad(what === 'text' ? 'message is too long' : 'message caption is too long');
    return { text: plain, entities };
  };
  const checkThread = (chat: FakeChat, threadId: unknown): number | undefined => {
    const id = num(threadId);
    if (id !== undefined && !chat.is_forum) throw bad('message thread not found');
    return id;
  };
  const pick = (p: Params, ...fields: string[]): Partial<SentMessage> =>
    Object.fromEntries(fields.filter((f) => p[f] !== undefined).map((f) => [f, p[f]]));

  /** Stores a message the bot sent and returns the Bot API `Message` object. */
  const storeBotMessage = (key: string, chat: FakeChat, p: Params, content: Record<string, unknown>) => {
    const threadId = checkThread(chat, p.message_thread_id);
    const message_id = nextMessageId(key);
    const date = now();
    const message: Record<string, unknown> = {
      message_id,
      from: { id: botUser.id, is_bot: true, first_name: botUser.first_name, username: botUser.username },
      chat,
      date,
      ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
      ...content,
      ...(p.reply_markup !== undefined ? { reply_markup: p.reply_markup } : {}),
    };
    const sent: SentMessage = {
      chat_id: chat.id,
      message_id,
      date,
      ...pick(p, 'parse_mode', 'reply_markup', 'link_preview_options', 'disable_web_page_preview'),
      ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
      ...(content as Partial<SentMessage>),
    };
    held.set(`${key}:${message_id}`, { message, sent });
    botMessages.push(sent);
    return message;
  };
  const commandsKey = (p: Params): string =>
    `${JSON.stringify(p.scope ?? { type: 'default' })}|${p.language_code ?? ''}`;
  const addFile = (fileId: string, data: Buffer, fileName: string): void => {
    const ext = /\.[A-Za-z0-9]+$/.exec(fileName)?.[0] ?? '';
    files.set(fileId, { data, fileName, path: `documents/file_${++seq}${ext}` });
  };
  const entityFields = (field: 'entities' | 'caption_entities', entities: HtmlEntity[]) =>
    entities.length > 0 ? { [field]: entities } : {};

  const handlers: Record<string, (p: Params, files: Files) => unknown> = {
    getMe: () => ({
      ...botUser,
      is_bot: true,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }),
    deleteWebhook: (p) => {
      webhook = null;
      if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') updates = [];
      return true;
    },
    setWebhook: (p) => {
      if (typeof p.url !== 'string') throw bad('bad webhook: URL must be provided for webhook');
      const secret = typeof p.secret_token === 'string' ? { secret: p.secret_token } : {};
      webhook = p.url === '' ? null : { url: p.url, ...secret };
      setAllowed(p.allowed_updates);
      void deliverWebhook();
      return true;
    },
    getWebhookInfo: () => ({
      url: webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: updates.length,
      ...(allowed !== null && webhook !== null ? { allowed_updates: allowed } : {}),
    }),
    setMyCommands: (p) => {
      const list = Array.isArray(p.commands) ? (p.commands as Array<{ command?: unknown }>) : [];
      if (list.some((c) => typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command))) {
        throw bad('BOT_COMMAND_INVALID');
      }
      commands.set(commandsKey(p), list);
      return true;
    },
    getMyCommands: (p) => commands.get(commandsKey(p)) ?? [],
    deleteMyCommands: (p) => commands.delete(commandsKey(p)) || true,
    sendMessage: (p) => {
      const { key, chat } = requireSendable(p.chat_id);
      checkMarkup(p.reply_markup);
      const { text, entities } = formatText(p.text, p.parse_mode, 4096, 'text');
      return storeBotMessage(key, chat, p, { text, ...entityFields('entities', entities) });
    },
    sendDocument: (p, uploads) => {
      const { key, chat } = requireSendable(p.chat_id);
      checkMarkup(p.reply_markup);
      const { text, entities } = formatText(p.caption, p.parse_mode, 1024, 'caption');
      const upload = uploads.find((f) => f.field === 'document');
      let file_id: string;
      let file_name: string;
      let data: Buffer | undefined;
      if (upload !== undefined) {
        file_id = `doc-${++seq}`;
        file_name = upload.filename;
        data = upload.data;
        addFile(file_id, data, file_name);
      } else if (typeof p.document === 'string' && files.has(p.document)) {
        file_id = p.document;
        file_name = files.get(file_id)?.fileName ?? 'file';
      } else throw bad('wrong file identifier/HTTP URL specified');
      const document = { file_id, file_unique_id: `u-${file_id}`, file_name, file_size: data?.length ?? 0 };
      const message = storeBotMessage(key, chat, p, {
        document,
        ...(text !== '' ? { caption: text } : {}),
        ...entityFields('caption_entities', entities),
      });
      const sent = held.get(`${key}:${message.message_id}`)?.sent;
      if (sent !== undefined) sent.document = { file_id, file_name, ...(data ? { data } : {}) };
      return message;
    },
    sendPhoto: (p, uploads) => {
      const { key, chat } = requireSendable(p.chat_id);
      checkMarkup(p.reply_markup);
      const { text, entities } = formatText(p.caption, p.parse_mode, 1024, 'caption');
      const upload = uploads.find((f) => f.field === 'photo');
      let photo: { file_id: string; url?: string };
      if (upload !== undefined) photo = { file_id: `photo-${++seq}` };
      else if (typeof p.photo === 'string' && files.has(p.photo)) photo = { file_id: p.photo };
      else if (typeof p.photo === 'string' && /^https?:\/\/[^\s]+$/i.test(p.photo)) {
        const refused = refusedPhotos.get(p.photo);
        if (refused !== undefined) throw bad(refused);
        photo = { file_id: `photo-${++seq}`, url: p.photo };
      } else throw bad('wrong file identifier/HTTP URL specified');
      const sizes = [
        { file_id: photo.file_id, file_unique_id: `u-${photo.file_id}`, width: 800, height: 600 },
      ];
      const message = storeBotMessage(key, chat, p, {
        photo: sizes,
        ...(text !== '' ? { caption: text } : {}),
        ...entityFields('caption_entities', entities),
      });
      const sent = held.get(`${key}:${message.message_id}`)?.sent;
      if (sent !== undefined) sent.photo = photo;
      return message;
    },
    editMessageText: (p) => {
      if (p.inline_message_id !== undefined) return true;
      const { key } = requireSendable(p.chat_id);
      const target = findHeld(key, p.message_id, 'message to edit not found');
      if (target.sent === undefined) throw bad("message can't be edited");
      const { text, entities } = formatText(p.text, p.parse_mode, 4096, 'text');
      checkMarkup(p.reply_markup);
      const markup = p.reply_markup;
      const sameEntities = JSON.stringify(target.sent.entities ?? []) === JSON.stringify(entities);
      if (
        target.sent.text === text &&
        sameEntities &&
        JSON.stringify(target.sent.reply_markup) === JSON.stringify(markup)
      ) {
        throw bad(NOT_MODIFIED);
      }
      Object.assign(
        target.sent,
        { text, edited: true },
        pick(p, 'parse_mode', 'link_preview_options', 'disable_web_page_preview'),
      );
      target.sent.entities = entities;
      if (entities.length === 0) delete target.sent.entities;
      if (markup === undefined) delete target.sent.reply_markup;
      else target.sent.reply_markup = markup;
      Object.assign(target.message, { text, edit_date: now(), entities, reply_markup: markup });
      return target.message;
    },
    editMessageReplyMarkup: (p) => {
      if (p.inline_message_id !== undefined) return true;
      const { key } = requireSendable(p.chat_id);
      const target = findHeld(key, p.message_id, 'message to edit not found');
      if (target.sent === undefined) throw bad("message can't be edited");
      checkMarkup(p.reply_markup);
      if (JSON.stringify(target.sent.reply_markup) === JSON.stringify(p.reply_markup))
        throw bad(NOT_MODIFIED);
      target.sent.reply_markup = p.reply_markup;
      Object.assign(target.message, { reply_markup: p.reply_markup, edit_date: now() });
      return target.message;
    },
    deleteMessage: (p) => {
      const { key } = requireChat(p.chat_id);
      const target = findHeld(key, p.message_id, 'message to delete not found');
      held.delete(`${key}:${num(p.message_id)}`);
      botMessages = botMessages.filter((m) => m !== target.sent);
      return true;
    },
    answerCallbackQuery: (p) => {
      const id = String(p.callback_query_id ?? '');
      if (!callbackIds.has(id))
        throw bad('query is too old and response timeout expired or query ID is invalid');
      if (typeof p.text === 'string' && [...p.text].length > 200) throw bad('MESSAGE_TOO_LONG');
      callbackIds.delete(id);
      return true;
    },
    sendChatAction: (p) => {
      const { chat } = requireSendable(p.chat_id);
      checkThread(chat, p.message_thread_id);
      return true;
    },
    getChat: (p) => requireChat(p.chat_id).chat,
    getChatMember: (p) => {
      const { key } = requireChat(p.chat_id);
      const userId = num(p.user_id);
      if (userId === undefined) throw bad('invalid user_id specified');
      const status = members.get(`${key}:${userId}`) ?? 'member';
      const isBot = userId === botUser.id;
      return { status, user: { id: userId, is_bot: isBot, first_name: isBot ? botUser.first_name : 'User' } };
    },
    getChatAdministrators: (p) => {
      const { key } = requireChat(p.chat_id);
      return [...members]
        .filter(([k, s]) => k.startsWith(`${key}:`) && (s === 'creator' || s === 'administrator'))
        .map(([k, status]) => {
          const id = Number(k.slice(key.length + 1));
          return { status, user: { id, is_bot: id === botUser.id, first_name: 'User' } };
        });
    },
    getFile: (p) => {
      const id = String(p.file_id ?? '');
      const file = files.get(id);
      if (file === undefined) throw bad('invalid file_id');
      return { file_id: id, file_unique_id: `u-${id}`, file_size: file.data.length, file_path: file.path };
    },
  };

  /** 429 if a message send would exceed a limit; counts only sends that were accepted. */
  const checkRate = (p: Params): void => {
    if (rate === null) return;
    const t = Date.now();
    const key = keyOf(p.chat_id) ?? '?';
    const tooMany = (limit: number | undefined, windowMs: number, chat?: string): void => {
      const until = limit === undefined ? null : sendLog.blockedUntil(t, limit, windowMs, chat);
      if (until !== null) throw tooManyRequests(Math.max(1, Math.ceil((until - t) / 1000)));
    };
    tooMany(rate.perSecond, 1000);
    tooMany(rate.perChatPerSecond, 1000, key);
    const type = chatOf(key).type;
    if (type === 'group' || type === 'supergroup') tooMany(rate.perGroupPerMinute, 60_000, key);
  };
  const takeFailure = (method: string): ApiError | undefined => {
    const f = failures.find(
      (x) => x.remaining > 0 && (x.method === method || (x.method === '*' && isSend(method))),
    );
    if (f === undefined) return undefined;
    f.remaining--;
    failures = failures.filter((x) => x.remaining > 0);
    const e = f.error;
    if (e.error_code === 429) return tooManyRequests(e.retry_after);
    if (e.error_code === 403)
      return new ApiError(403, e.description ?? 'Forbidden: bot was blocked by the user');
    if (e.error_code === 400) return bad(e.description.replace(/^Bad Request: /, ''));
    return new ApiError(e.error_code, e.error_code === 500 ? 'Internal Server Error' : 'Bad Gateway');
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, e: ApiError): void =>
    json(res, e.code, {
      ok: false,
      error_code: e.code,
      description: e.description,
      ...(e.retryAfter !== undefined ? { parameters: { retry_after: e.retryAfter } } : {}),
    });

  /** Confirms updates below a positive offset (negative: keeps the last -offset) and returns up to limit. */
  const takeUpdates = (poll: Poll): object[] => {
    if (poll.offset > 0) updates = updates.filter((u) => u.update_id >= poll.offset);
    else if (poll.offset < 0) {
      updates = updates.slice(poll.offset);
      poll.offset = 0;
    }
    return updates.slice(0, poll.limit);
  };
  const answerPoll = (poll: Poll, result: object[]): void => {
    polls.delete(poll);
    clearTimeout(poll.timer);
    json(poll.res, 200, { ok: true, result });
  };
  const getUpdates = (p: Params, res: ServerResponse): void => {
    if (webhook !== null) {
      throw new ApiError(409, CONFLICT_WEBHOOK);
    }
    setAllowed(p.allowed_updates);
    for (const old of polls) {
      polls.delete(old);
      clearTimeout(old.timer);
      fail(old.res, new ApiError(409, CONFLICT_POLL));
    }
    const limit = Math.min(100, Math.max(1, num(p.limit) ?? 100));
    const poll: Poll = { offset: num(p.offset) ?? 0, limit, res };
    const ready = takeUpdates(poll);
    const timeout = num(p.timeout) ?? 0;
    if (ready.length > 0 || timeout <= 0) {
      json(res, 200, { ok: true, result: ready });
      return;
    }
    poll.timer = setTimeout(() => answerPoll(poll, []), timeout * 1000);
    polls.add(poll);
    res.on('close', () => {
      polls.delete(poll);
      clearTimeout(poll.timer);
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download !== null) {
      const file = [...files.values()].find((f) => f.path === decodeURIComponent(download[2] ?? ''));
      if (decodeURIComponent(download[1] ?? '') !== token || file === undefined) {
        return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.data.length });
      res.end(file.data);
      return;
    }
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (route === null) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const callToken = decodeURIComponent(route[1] ?? '');
    const method = route[2] ?? '';
    const type = req.headers['content-type'] ?? '';
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    let params: Params = Object.fromEntries(url.searchParams);
    let uploads: Files = [];
    if (boundary !== null)
      ({ params, files: uploads } = parseMultipart(body, boundary[1] ?? boundary[2] ?? ''));
    else if (body.length > 0) params = { ...params, ...(JSON.parse(body.toString('utf8')) as Params) };
    try {
      const result = execute(method, callToken, params, uploads);
      if (result === POLL) getUpdates(params, res);
      else json(res, 200, { ok: true, result });
    } catch (error) {
      fail(
        res,
        error instanceof ApiError ? error : new ApiError(500, `Internal Server Error: ${String(error)}`),
      );
    }
  };
  /** Records a call and runs it; throws ApiError for error answers; POLL means "hold as getUpdates". */
  const execute = (method: string, callToken: string, params: Params, uploads: Files): unknown => {
    calls.push({
      method,
      token: callToken,
      params,
      at: Date.now(),
      ...(uploads.length ? { files: uploads } : {}),
    });
    if (callToken !== token) throw new ApiError(401, 'Unauthorized');
    const injected = takeFailure(method);
    if (injected !== undefined) throw injected;
    if (method === 'getUpdates') return POLL;
    if (isSend(method)) checkRate(params);
    const handler = handlers[method];
    const result = handler === undefined ? true : handler(params, uploads);
    if (isSend(method)) sendLog.add(Date.now(), keyOf(params.chat_id) ?? '?');
    return result;
  };
  /** POSTs queued updates to the webhook one by one; a JSON answer with `method` is run as a call. */
  const deliverWebhook = async (): Promise<void> => {
    if (delivering) return;
    delivering = true;
    try {
      for (let update = updates[0]; webhook !== null && update !== undefined; update = updates[0]) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (webhook.secret !== undefined) headers['x-telegram-bot-api-secret-token'] = webhook.secret;
        const res = await fetch(webhook.url, { method: 'POST', headers, body: JSON.stringify(update) });
        const answer = await res.text();
        if (!res.ok) break; // stays queued until the next push or setWebhook
        updates = updates.filter((u) => u !== update);
        const reply = answer.startsWith('{') ? (JSON.parse(answer) as Params) : {};
        if (typeof reply.method === 'string') {
          const { method, ...params } = reply;
          try {
            execute(String(method), token, params, []);
          } catch {
            // Telegram does not report errors of webhook replies either
          }
        }
      }
    } catch {
      // unreachable webhook: updates stay queued
    } finally {
      delivering = false;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => fail(res, new ApiError(500, String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const registerChat = (chat: FakeChat): FakeChat => {
    const merged = { ...chats.get(String(chat.id)), ...chat };
    chats.set(String(chat.id), merged);
    if (merged.username !== undefined) usernames.set(`@${merged.username.toLowerCase()}`, String(chat.id));
    return merged;
  };
  /**
   * A message to the bot as an update of `type`: `text`, where a leading `/cmd` gets a bot_command
   * entity, or a document with `text` as its caption. Returns its message_id.
   */
  const incoming = (
    type: 'message' | 'channel_post',
    chat: FakeChat,
    fields: Record<string, unknown>,
    text: string,
    document: { file_id: string } | undefined,
  ): number => {
    const key = String(chat.id);
    const command = text.startsWith('/') ? /^\/\S+/.exec(text)?.[0] : undefined;
    const entities = command ? [{ type: 'bot_command', offset: 0, length: command.length }] : [];
    const message: Record<string, unknown> = { message_id: nextMessageId(key), ...fields, chat, date: now() };
    if (document !== undefined) {
      message.document = { file_unique_id: `u-${document.file_id}`, ...document };
      if (text !== '')
        Object.assign(message, { caption: text, ...entityFields('caption_entities', entities) });
    } else Object.assign(message, { text, ...entityFields('entities', entities) });
    held.set(`${key}:${message.message_id}`, { message });
    fake.pushUpdate({ [type]: message });
    return message.message_id as number;
  };
  const fake: FakeTelegram = {
    url: `http://127.0.0.1:${port}`,
    token,
    botUser,
    calls,
    strictChats: opts.strictChats ?? false,
    callsTo: (method) => calls.filter((c) => c.method === method),
    pushUpdate(update) {
      const u = update as { update_id?: number };
      if (typeof u.update_id !== 'number') u.update_id = nextUpdateId;
      nextUpdateId = Math.max(nextUpdateId, u.update_id + 1);
      if (!isAllowed(u)) {
        dropped.push(u);
        return;
      }
      updates.push(u as { update_id: number });
      for (const poll of polls) {
        const ready = takeUpdates(poll);
        if (ready.length > 0) answerPoll(poll, ready);
      }
      if (webhook !== null) void deliverWebhook();
    },
    pendingUpdates: () => [...updates],
    allowedUpdates: () => (allowed === null ? null : [...allowed]),
    droppedUpdates: () => [...dropped],
    sendText(chatIn, from, text, extra = {}) {
      const thread = extra.message_thread_id;
      const fields = {
        from: user(from),
        ...(thread !== undefined ? { message_thread_id: thread, is_topic_message: true } : {}),
      };
      return incoming('message', registerChat(chatIn), fields, text, extra.document);
    },
    postInChannel(channelIn, text, extra = {}) {
      const chat = registerChat(channelIn);
      const signature = extra.author_signature;
      const fields = {
        sender_chat: chat,
        ...(signature !== undefined ? { author_signature: signature } : {}),
      };
      return incoming('channel_post', chat, fields, text, extra.document);
    },
    pressButton(chatIn, from, data, messageId) {
      const chat = registerChat(chatIn);
      const id = String(++seq);
      callbackIds.add(id);
      const message = held.get(`${chat.id}:${messageId}`)?.message ?? {
        message_id: messageId,
        chat,
        date: now(),
      };
      fake.pushUpdate({
        callback_query: { id, from: user(from), message, chat_instance: String(chat.id), data },
      });
      return id;
    },
    failNext(method, error, count = 1) {
      failures.push({ method, error, remaining: count });
    },
    setRateLimit(opts) {
      rate = opts;
      sendLog.clear();
    },
    setChatMember(chatId, userId, status) {
      members.set(`${keyOf(chatId) ?? chatId}:${userId}`, status);
    },
    setChat: (chat) => void registerChat(chat),
    blockChat: (chatId) => void blocked.add(keyOf(chatId) ?? String(chatId)),
    unblockChat: (chatId) => void blocked.delete(keyOf(chatId) ?? String(chatId)),
    addFile,
    refusePhotoUrl: (url, description = 'failed to get HTTP URL content') =>
      void refusedPhotos.set(url, description),
    sentMessages(chatId) {
      const key = chatId === undefined ? undefined : keyOf(chatId);
      return botMessages.filter((m) => key === undefined || String(m.chat_id) === key).map((m) => ({ ...m }));
    },
    reset() {
      calls.length = 0;
      updates = [];
      failures = [];
      rate = null;
      sendLog.clear();
      botMessages = [];
      webhook = null;
      allowed = null;
      dropped = [];
      for (const m of [chats, usernames, members, files, held, counters, commands, refusedPhotos]) m.clear();
      blocked.clear();
      callbackIds.clear();
    },
    async close() {
      for (const poll of polls) answerPoll(poll, []);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // give answered polls a moment to flush, then cut whatever is left
        setTimeout(() => server.closeAllConnections(), 100).unref();
      });
    },
  };
  return fake;
}
