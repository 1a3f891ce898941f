/**
 * Deliveries to Discord forum (and media) channels, which take posts, not messages: each delivery
 * opens one post — an instant item's post is titled with the item's title, a digest's with its
 * heading — whose starter message is part 0; later parts reply in that post. The post's id is
 * recorded with the delivery (`DeliveryPlace`), so a restart between parts finds the same post
 * again, and two digests with the same heading never share one.
 */
import {
  type APIThreadChannel,
  DiscordAPIError,
  type REST,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPostAPIGuildForumThreadsJSONBody,
  Routes,
} from 'discord.js';
import type { DeliveryPlace } from '../../src/delivery/platform-sender.ts';
import type { OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import { textLength, truncate } from './embed-limits.ts';
import { translateDiscordError } from './error-translation.ts';

/** Discord's limit on a thread (post) name, in characters. */
export const POST_NAME_CHARS = 100;

/** Discord's answer when a forum requires a tag on every post and none was given. */
const TAG_REQUIRED = 40067;

/**
 * The name of the post a delivery opens: an instant delivery's item title (its URL when it has
 * none), a digest's or notice's heading; whitespace collapsed, at most 100 characters. Names are
 * shown as plain text, so nothing is escaped.
 */
export function forumPostName(msg: OutgoingMessage): string {
  const item = msg.kind === 'instant' ? msg.groups[0]?.items[0] : undefined;
  const candidates = [item?.title, item?.url, msg.heading, 'newsrelay'];
  const name = candidates.map((c) => (c ?? '').replace(/\s+/g, ' ').trim()).find((c) => textLength(c) > 0);
  return truncate(name ?? 'newsrelay', POST_NAME_CHARS);
}

/**
 * Post part `part` of `msg` (the message body `body`) to the forum `forumId` over REST. Part 0
 * opens the post and records its id in `place`; a later part replies in the recorded post.
 * Failures are delivery kinds: a forum that is gone or closed to the bot, or that requires tags,
 * is `chat_gone` (an admin must act); a post deleted or locked between parts ends this delivery
 * only (`rejected`).
 */
export async function postToForum(
  rest: REST,
  forumId: string,
  msg: OutgoingMessage,
  part: number,
  body: RESTPostAPIChannelMessageJSONBody,
  place: DeliveryPlace | undefined,
): Promise<void> {
  if (part === 0) {
    const start: RESTPostAPIGuildForumThreadsJSONBody = { name: forumPostName(msg), message: body };
    try {
      const post = (await rest.post(Routes.threads(forumId), { body: start })) as APIThreadChannel;
      place?.place(post.id);
    } catch (err) {
      if (err instanceof DiscordAPIError && err.code === TAG_REQUIRED) {
        throw new DeliveryError('chat_gone', `forum ${forumId} requires a tag on every post`, {
          cause: err,
          reason: 'tag_required',
        });
      }
      throw translateDiscordError(err);
    }
    return;
  }
  const postId = await place?.anchor();
  if (!postId) throw new DeliveryError('rejected', `no forum post recorded for part ${part}`);
  try {
    await rest.post(Routes.channelMessages(postId), { body });
  } catch (err) {
    const e = translateDiscordError(err);
    // The post was deleted or locked, not the forum: this delivery ends, the feed goes on.
    if (e.kind !== 'chat_gone') throw e;
    throw new DeliveryError('rejected', e.message, { cause: err, reason: `post_${e.reason ?? 'gone'}` });
  }
}
