/** A Telegram user talking to the bot processes through the fake Bot API. */
import type { FakeChat, FakeTelegram, FakeUser, SentMessage } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';

/** A progress note a slow `/subscribe` sends before its answer. */
const PROGRESS = /^Checking /;

/** One private chat with the bot. */
export interface TelegramUser {
  chat: FakeChat;
  from: FakeUser;
  /** Send `text`; resolves with the bot's first answer (progress notes skipped) within `timeoutMs`. */
  ask(text: string, timeoutMs?: number): Promise<SentMessage>;
  /** Messages the bot sent to this chat. */
  received(): SentMessage[];
}

/** A user with a private chat of id `id` (English client). */
export function telegramUser(fake: FakeTelegram, id: number): TelegramUser {
  const chat: FakeChat = { id, type: 'private' };
  const from: FakeUser = { id, language_code: 'en', first_name: `User${id}` };
  return {
    chat,
    from,
    async ask(text, timeoutMs = 30_000) {
      const before = fake.sentMessages(id).length;
      fake.sendText(chat, from, text);
      return waitFor(
        () =>
          fake
            .sentMessages(id)
            .slice(before)
            .find((m) => !PROGRESS.test(m.text ?? '')),
        timeoutMs,
        { intervalMs: 50, message: `no answer to ${text} within ${timeoutMs} ms` },
      );
    },
    received: () => fake.sentMessages(id),
  };
}

/**
 * The next minute boundary at least `marginMs` ahead, as `HH:MM` in UTC and as epoch ms: a
 * digest time the schedule can still be set for before it comes.
 */
export function nextMinute(marginMs = 20_000, now = Date.now()): { time: string; at: number } {
  const at = Math.ceil((now + marginMs) / 60_000) * 60_000;
  return { time: new Date(at).toISOString().slice(11, 16), at };
}
