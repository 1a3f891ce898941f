/**
 * Where a delivery went is kept with it: what part 0 records (a Discord forum post's id) is handed
 * to every later part, by another process after a restart too, and never to another delivery.
 * Before, the Discord sender kept it in memory and looked posts up by name, which a restart lost
 * and two digests with the same heading confused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryPlace, PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { Chat, OutgoingMessage } from '../../src/domain/types.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;

const message: OutgoingMessage = {
  kind: 'digest',
  locale: 'en',
  heading: 'Same heading',
  groups: [],
  threadId: null,
  timezone: 'UTC',
};

/** A sender of three parts that opens a "post" at part 0 and records what later parts were given. */
function postingSender(
  seen: Array<{ delivery: string; part: number; anchor: string | null }>,
): PlatformSender {
  let posts = 0;
  return {
    platform: 'discord',
    partCount: () => 3,
    async sendPart(_chat: Chat, msg: OutgoingMessage, part: number, place?: DeliveryPlace) {
      if (part === 0) place?.place(`post-${++posts}-${msg.heading}`);
      seen.push({
        delivery: msg.text ?? '',
        part,
        anchor: part === 0 ? null : ((await place?.anchor()) ?? null),
      });
    },
  };
}

beforeAll(async () => {
  t = await createTestCore();
});
afterAll(async () => {
  await t?.cleanup();
});

describe('delivery place', () => {
  it('hands what part 0 recorded to the later parts of the same delivery only, across a restart', async () => {
    await t.core.chats.ensure({
      platform: 'discord',
      chatId: '1',
      type: 'guild-channel',
      locale: 'en',
      timezone: 'UTC',
    });
    const ids = ['discord:1|a', 'discord:1|b'];
    for (const [n, id] of ids.entries()) {
      await t.stores.deliveries.create({
        id,
        chatKey: 'discord:1',
        digestKey: id.slice(-1),
        message: { ...message, text: `d${n}` },
        createdAt: new Date(),
      });
    }
    const seen: Array<{ delivery: string; part: number; anchor: string | null }> = [];
    const sender = postingSender(seen);
    const send = (core: TestCore['core'], deliveryId: string, part: number) =>
      core.deliveries.processPart(
        { deliveryId, chatKey: 'discord:1', platform: 'discord', part },
        sender,
        async () => 0,
      );
    // Both deliveries open their post before either sends part 1 (same heading).
    await send(t.core, ids[0]!, 0);
    await send(t.core, ids[1]!, 0);
    await send(t.core, ids[1]!, 1);
    // Another process (a restart) sends the rest.
    const other = await t.second();
    await send(other.core, ids[0]!, 1);
    await send(other.core, ids[0]!, 2);
    await send(other.core, ids[1]!, 2);
    expect(seen).toEqual([
      { delivery: 'd0', part: 0, anchor: null },
      { delivery: 'd1', part: 0, anchor: null },
      { delivery: 'd1', part: 1, anchor: 'post-2-Same heading' },
      { delivery: 'd0', part: 1, anchor: 'post-1-Same heading' },
      { delivery: 'd0', part: 2, anchor: 'post-1-Same heading' },
      { delivery: 'd1', part: 2, anchor: 'post-2-Same heading' },
    ]);
    expect(await t.stores.deliveries.isDone(ids[0]!)).toBe(true);
  });
});
