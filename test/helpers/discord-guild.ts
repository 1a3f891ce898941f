/** A news guild on the fake Discord and the `/feed add` that attaches a source to its channel. */
import type { FakeDiscord, InteractInput } from '../fakes/discord-api.ts';

/** Manage Channels: what `/feed` and `/settings` ask of a member. */
export const MANAGE_CHANNELS = String(1n << 4n);

/** Ids of a guild with one text channel and a role for the bot. */
export interface NewsGuild {
  guild: string;
  channel: string;
  botRole: string;
}

/** Add a guild with one text channel `news` in which the bot is an administrator (posts go through). */
export function addNewsGuild(fake: FakeDiscord, ids: NewsGuild): void {
  fake.addGuild({
    id: ids.guild,
    name: '新聞台',
    channels: [{ id: ids.channel, name: 'news', type: 0 }],
    roles: [{ id: ids.botRole, name: 'bots', permissions: '8' }],
    members: [{ user: { id: fake.applicationId, username: 'newsrelay', bot: true }, roles: [ids.botRole] }],
  });
}

/**
 * `/feed add` of `source` to the guild's channel by a member with Manage Channels, the channel
 * resolved as Discord sends it; `mode` as the option (omitted: the command's default, instant).
 */
export function feedAddInteraction(
  ids: Pick<NewsGuild, 'guild' | 'channel'>,
  source: string,
  mode?: 'instant' | 'digest',
): InteractInput {
  return {
    type: 2,
    name: 'feed',
    guildId: ids.guild,
    channelId: ids.channel,
    locale: 'en-US',
    permissions: MANAGE_CHANNELS,
    options: [
      {
        name: 'add',
        type: 1,
        options: [
          { name: 'channel', type: 7, value: ids.channel },
          { name: 'source', type: 3, value: source },
          ...(mode ? [{ name: 'mode', type: 3, value: mode }] : []),
        ],
      },
    ],
    resolved: {
      channels: {
        [ids.channel]: { id: ids.channel, type: 0, name: 'news', permissions: '2251799813685247' },
      },
    },
  };
}
