import type { Core } from '../core.ts';
import type { Chat, Locale } from '../domain/types.ts';
import { describeError, isUnavailable, NewsrelayError, UserError } from '../errors.ts';
import { hasKey, type MessageKey, t } from '../i18n/i18n.ts';
import { type Reply, type Span, textReply } from './reply.ts';

/** What command handlers use: the core's operations (no store, no platform). */
export type CommandServices = Pick<Core, 'chats' | 'sources' | 'headlines' | 'digests' | 'log'>;

/**
 * Who asks, about which chat, and how to answer. The adapter resolves the target chat and the
 * actor's rights with its platform's means; everything after that is the same on every platform.
 */
export interface CommandContext {
  /** The chat the command reads or changes (a channel managed from elsewhere too). */
  chat: Chat;
  /** Language of the answer (Telegram: the chat's; Discord: the member's client). */
  locale: Locale;
  /** The actor may change this chat's settings (checked with the platform's rights). */
  canManage: boolean;
  /** Sentence that refuses a change when `canManage` is false (who may manage differs per platform). */
  refusal: 'admin.only' | 'admin.manageChannels';
  /** Forum topic the command was sent in; new subscriptions post there. */
  threadId: string | null;
  /**
   * How to name the chat when it is not the conversation the command came from (`<#123>` for a
   * Discord channel, `@news` for a Telegram channel); null when the command changes where it is typed.
   */
  target: string | null;
  /** `text`: commands typed with arguments (usage lines help); `options`: typed slash options. */
  syntax: 'text' | 'options';
  /**
   * The person giving the command as a platform user id (`telegram:123`, `discord:456`), for
   * ALLOWED_USERS and MAX_SOURCES_PER_USER; null (or absent) when the platform names nobody (a
   * channel post).
   */
  actor?: string | null;
}

/** Throws the refusal of `ctx` unless its actor may manage the chat. */
export function requireManager(ctx: Pick<CommandContext, 'canManage' | 'refusal'>): void {
  if (!ctx.canManage) throw new UserError(ctx.refusal);
}

/**
 * The answer to a failure, in the asker's language: a {@link UserError}'s sentence (plus its usage
 * line where commands are typed), a known error code's sentence, or — logged, secret-free — a
 * generic apology. Only the asker needs to see it.
 */
export function errorReply(
  ctx: Pick<CommandContext, 'locale' | 'syntax'>,
  err: unknown,
  log?: Core['log'],
): Reply {
  const l = ctx.locale;
  if (err instanceof UserError && hasKey(err.key)) {
    const lines = [t(l, err.key, err.params)];
    if (err.usage && ctx.syntax === 'text' && hasKey(err.usage)) lines.push(t(l, err.usage, err.params));
    return { ...textReply(...lines), private: true };
  }
  if (err instanceof NewsrelayError) {
    const key = `error.${err.code}`;
    if (hasKey(key)) return { ...textReply(t(l, key, err.params)), private: true };
  }
  if (isUnavailable(err)) {
    log?.warn({ err: describeError(err) }, 'command failed: a backing service is unavailable');
    return { ...textReply(t(l, 'error.unavailable')), private: true };
  }
  log?.error({ err: describeError(err) }, 'command failed');
  return { ...textReply(t(l, 'error.internal')), private: true };
}

/** Run a command handler, turning every failure into {@link errorReply}. */
export async function guarded(
  services: Pick<CommandServices, 'log'>,
  ctx: CommandContext,
  handler: () => Promise<Reply> | Reply,
): Promise<Reply> {
  try {
    return await handler();
  } catch (err) {
    return errorReply(ctx, err, services.log);
  }
}

/** A bold title line. */
export function titleLine(text: string): Span[] {
  return [{ text, bold: true }];
}

/** `t` with the context's locale. */
export function say(
  ctx: Pick<CommandContext, 'locale'>,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return t(ctx.locale, key, params);
}
