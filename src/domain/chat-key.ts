import type { Platform } from './types.ts';

/** `${platform}:${chatId}` — a chat's key everywhere (and the `_id` of its document). */
export function chatKeyOf(platform: Platform, chatId: string | number): string {
  return `${platform}:${chatId}`;
}
