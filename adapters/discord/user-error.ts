import type { DiscordTextKey } from './discord-strings.ts';

/** A problem with what the member asked, answered with a localised, ephemeral sentence. */
export class UserFacingError extends Error {
  constructor(
    readonly key: DiscordTextKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(key);
    this.name = 'UserFacingError';
  }
}
