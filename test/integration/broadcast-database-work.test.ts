/**
 * A broadcast's database work per message (issue 11): a fresh deliver job carries its recorded
 * message and its chat's target, so sending reads nothing, and the progress markers of many
 * messages go in a few batched inserts. Counted with the driver's command monitoring on the real
 * database: before, every message read its delivery and its chat (two reads per message sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTarget, DeliveryJobRef, PlatformSender } from '../../src/delivery/platform-sender.ts';
import type { OutgoingMessage } from '../../src/domain/types.ts';
import { DeliveryError } from '../../src/errors.ts';
import { storeArticles, testArticle } from '../helpers/articles.ts';
import { commandsDuring, createMonitoredCore } from '../helpers/command-monitor.ts';
import { recordingQueue, type TestCore } from '../helpers/test-core.ts';

const CHATS = 60;

let x: TestCore;
const queued: DeliveryJobRef[] = [];

beforeAll(async () => {
  x = await createMonitoredCore({
    deliveryQueue: recordingQueue(queued),
  });
});
afterAll(async () => {
  await x.cleanup();
});

/** Commands the core's client sends while `fn` runs, by command name. */
async function commandCounts(fn: () => Promise<void>): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (const e of await commandsDuring(x, fn)) seen.set(e.commandName, (seen.get(e.commandName) ?? 0) + 1);
  return seen;
}

/** A sender that keeps what it was asked to send; chat 7 is gone (the platform's 403). */
function recordingSender(sent: Array<{ chat: ChatTarget; msg: OutgoingMessage }>): PlatformSender {
  return {
    platform: 'telegram',
    partCount: () => 1,
    async sendPart(chat, msg) {
      if (chat.chatId === '7') throw new DeliveryError('chat_gone', 'Forbidden: bot was blocked by the user');
      sent.push({ chat, msg });
    },
  };
}

describe('broadcast database work', () => {
  it('sending fresh digests reads no delivery and no chat, and batches the progress markers', async () => {
    const source = await x.stores.sources.add({
      url: 'https://wide.example.cn/rss.xml',
      name: '广播日报',
      kind: 'rss',
      intervalSec: 600,
    });
    for (let i = 0; i < CHATS; i++) {
      await x.core.chats.ensure({
        platform: 'telegram',
        chatId: String(i),
        type: 'private',
        locale: i % 2 === 0 ? 'zh-Hans' : 'zh-Hant',
        timezone: 'Asia/Shanghai',
      });
      await x.core.chats.subscribe(`telegram:${i}`, { sourceId: source.id });
    }
    await storeArticles(
      x,
      testArticle({
        sourceId: source.id,
        url: 'https://wide.example.cn/1.htm',
        title: '粤港澳大湾区跨境数据流动试点启动',
      }),
    );
    const chats = await x.core.chats.getMany(Array.from({ length: CHATS }, (_, i) => `telegram:${i}`));
    const slot = Math.floor(Date.now() / 60_000) * 60_000;
    const tally = await x.core.digests.runChats(chats, slot);
    expect(tally.queued).toBe(CHATS);
    expect(queued).toHaveLength(CHATS);

    const sent: Array<{ chat: ChatTarget; msg: OutgoingMessage }> = [];
    const sender = recordingSender(sent);
    const outcomes: string[] = [];
    const commands = await commandCounts(async () => {
      const results = await Promise.all(
        queued.map((ref) => x.core.deliveries.processPart(ref, sender, async () => 0)),
      );
      outcomes.push(...results.map((r) => r.status));
    });

    expect(outcomes.filter((s) => s === 'sent')).toHaveLength(CHATS - 1);
    expect(outcomes.filter((s) => s === 'gone')).toHaveLength(1);
    // What was sent is what was recorded, in each chat's language.
    for (const { chat, msg } of sent) {
      const recorded = await x.stores.deliveries.get(`${chat.key}|slot-${slot}`);
      expect(msg).toEqual(recorded!.message);
      expect(chat.locale).toBe(Number(chat.chatId) % 2 === 0 ? 'zh-Hans' : 'zh-Hant');
    }
    // Reads: none for the 59 messages sent; the gone chat is deactivated (its own reads and
    // writes). Writes: the markers of all messages in a few inserts, not one per message.
    const reads = (commands.get('find') ?? 0) + (commands.get('aggregate') ?? 0);
    expect(reads).toBeLessThanOrEqual(2);
    expect(commands.get('insert') ?? 0).toBeLessThanOrEqual(5);
    expect((await x.stores.deliveries.sentParts()).size).toBe(CHATS - 1);
    expect((await x.core.chats.get('telegram:7'))!.active).toBe(false);
  });

  it('a job for a chat this process saw gone is skipped without sending', async () => {
    const ref = queued.find((r) => r.chatKey === 'telegram:7')!;
    const sent: Array<{ chat: ChatTarget; msg: OutgoingMessage }> = [];
    const res = await x.core.deliveries.processPart(ref, recordingSender(sent), async () => 0);
    expect(res.status).toBe('gone');
    expect(sent).toEqual([]);
  });

  it('a chat that came back gets its carried jobs again in the process that saw it gone', async () => {
    const ref = queued.find((r) => r.chatKey === 'telegram:7')!;
    await x.core.chats.reactivate('telegram:7');
    const sent: Array<{ chat: ChatTarget; msg: OutgoingMessage }> = [];
    const sender: PlatformSender = {
      platform: 'telegram',
      partCount: () => 1,
      async sendPart(chat, msg) {
        sent.push({ chat, msg });
      },
    };
    const again = {
      ...ref,
      deliveryId: `${ref.chatKey}|slot-again`,
      carried: { ...ref.carried!, digestKey: 'slot-again' },
    };
    expect((await x.core.deliveries.processPart(again, sender, async () => 0)).status).toBe('sent');
    expect(sent.map((s) => s.chat.key)).toEqual(['telegram:7']);
  });
});
