import type { Telegram } from 'telegraf';
import type { ChatService } from '../../src/chats/chat-service.ts';
import type { Chat, ChatType, Locale } from '../../src/domain/types.ts';

/** Telegram's anonymous group admin (messages "sent as the group"). */
const GROUP_ANONYMOUS_BOT = 1087968824;

/** The Telegram chat of an update, as far as access checks need it. */
export interface TgChat {
  id: number;
  type: string;
  title?: string;
  username?: string;
}

/** Telegram chat type → core chat type. */
export function chatTypeOf(type: string): ChatType {
  if (type === 'group' || type === 'supergroup' || type === 'channel') return type;
  return 'private';
}

/**
 * The stored chat for a Telegram chat, created with the user's language and the default timezone.
 * A message from a chat proves it is reachable again: a chat deactivated after a failed send
 * (the user had blocked the bot) is reactivated.
 */
export async function ensureChat(
  chats: ChatService,
  chat: TgChat,
  locale: Locale,
  timezone: string,
): Promise<Chat> {
  const stored = await chats.ensure({
    platform: 'telegram',
    chatId: String(chat.id),
    type: chatTypeOf(chat.type),
    title: chat.title ?? (chat.username ? `@${chat.username}` : null),
    locale,
    timezone,
  });
  return stored.active ? stored : ((await chats.reactivate(stored.key)) ?? stored);
}

/** True when `userId` is the creator or an administrator of `chatId` (getChatMember). */
export async function isAdmin(telegram: Telegram, chatId: number | string, userId: number): Promise<boolean> {
  if (userId === GROUP_ANONYMOUS_BOT) return true;
  try {
    const member = await telegram.getChatMember(chatId, userId);
    return member.status === 'creator' || member.status === 'administrator';
  } catch {
    return false;
  }
}

/** Whether the sender may change the settings of the chat it writes in. */
export async function canManageHere(
  telegram: Telegram,
  chat: TgChat,
  from: { id: number } | undefined,
  senderChat: { id: number } | undefined,
): Promise<boolean> {
  if (chat.type === 'private') return true;
  // A channel post, or an admin posting as the group, comes from the chat itself.
  if (senderChat && senderChat.id === chat.id) return true;
  if (!from) return false;
  return isAdmin(telegram, chat.id, from.id);
}

/** A channel named `@name` or by numeric id (`-100…`) that the user and the bot both administer; a reason key otherwise. */
export async function resolveManagedChannel(
  telegram: Telegram,
  name: string,
  userId: number,
  botId: number,
): Promise<{ ok: true; chat: TgChat } | { ok: false; reason: 'channel.notFound' | 'channel.notAdmin' }> {
  let chat: TgChat;
  try {
    chat = (await telegram.getChat(name)) as TgChat;
  } catch {
    return { ok: false, reason: 'channel.notFound' };
  }
  if (chat.type !== 'channel') return { ok: false, reason: 'channel.notFound' };
  const [user, bot] = await Promise.all([
    isAdmin(telegram, chat.id, userId),
    isAdmin(telegram, chat.id, botId),
  ]);
  return user && bot ? { ok: true, chat } : { ok: false, reason: 'channel.notAdmin' };
}
