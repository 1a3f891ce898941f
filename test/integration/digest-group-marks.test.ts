/**
 * A scheduled minute's group marks its chats in one write at the end of the run (decision 0016),
 * not one update per chat. The write must leave out a chat that joined the group during the run
 * (it was not built: marking it would skip its digest and move its cursor past articles it never
 * got), and a built chat that changed during the run must still be marked (one by one). The scan
 * streams in batches, so a chat that joins while it runs may be read: then it is built and marked.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeliveryJobRef, DeliveryQueuePort } from '../../src/delivery/platform-sender.ts';
import { DigestService, SAVE_CLOCK_MARGIN_MS } from '../../src/digest/digest-service.ts';
import { storeArticles, testArticle } from '../helpers/articles.ts';
import { commandsDuring, createMonitoredCore } from '../helpers/command-monitor.ts';
import type { TestCore } from '../helpers/test-core.ts';

let x: TestCore;
const queued: DeliveryJobRef[] = [];
let duringEnqueue: (() => Promise<void>) | null = null;
let sourceId = '';

/** Records the jobs; runs `duringEnqueue` (once) before the first enqueue after it is set. */
const queue: DeliveryQueuePort = {
  enqueue: async (ref) => void queued.push(ref),
  enqueueMany: async (refs) => {
    const hook = duringEnqueue;
    duringEnqueue = null;
    await hook?.();
    queued.push(...refs);
  },
};

beforeAll(async () => {
  x = await createMonitoredCore({ deliveryQueue: queue });
});
afterAll(async () => {
  await x.cleanup();
});

async function addArticle(n: number, sourceId: string): Promise<void> {
  const url = `https://group.example.cn/${n}.htm`;
  await storeArticles(x, testArticle({ sourceId, url, title: `珠江口第${n}座跨海通道项目进展通报` }));
}

/** Date every chat's last save well before the margin a group's one write allows for clocks. */
async function saveLongAgo(): Promise<void> {
  const savedAt = new Date(Date.now() - 2 * SAVE_CLOCK_MARGIN_MS);
  await x.db.models.Chat.collection.updateMany({}, { $set: { updatedAt: savedAt } });
}

async function updatesDuring(fn: () => Promise<void>): Promise<number> {
  const commands = await commandsDuring(x, fn);
  return commands.filter(
    (e) => e.commandName === 'update' && (e.command as { update?: string }).update === 'chats',
  ).length;
}

describe('marking a digest group', () => {
  it('marks the built chats, never one that joined during the run, and one that changed during it', async () => {
    const source = await x.stores.sources.add({
      url: 'https://group.example.cn/rss.xml',
      name: '湾区日报',
      kind: 'rss',
      intervalSec: 600,
    });
    sourceId = source.id;
    const keys = ['a', 'b', 'c', 'd', 'e', 'joiner', 'idle'].map((id) => `telegram:${id}`);
    for (const key of keys) {
      const chatId = key.slice('telegram:'.length);
      await x.core.chats.ensure({
        platform: 'telegram',
        chatId,
        type: 'private',
        locale: 'zh-Hans',
        timezone: 'UTC',
      });
      if (chatId !== 'idle') await x.core.chats.subscribe(key, { sourceId: source.id });
      await x.core.chats.updateSettings(key, { digestTimes: [chatId === 'joiner' ? '09:00' : '08:00'] });
    }
    await addArticle(1, source.id);
    await saveLongAgo();
    const slot = Date.UTC(2026, 11, 3, 8, 0);
    duringEnqueue = async () => {
      await x.core.chats.updateSettings('telegram:joiner', { digestTimes: ['08:00'] });
      await x.core.chats.updateSettings('telegram:c', { script: 'hant' });
    };
    const tally = await x.core.digests.runGroup('08:00', 'UTC', slot, slot + 5_000);
    expect(tally.queued).toBe(5);
    expect(queued.map((r) => r.chatKey).sort()).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((id) => `telegram:${id}`),
    );
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      const chat = (await x.core.chats.get(`telegram:${id}`))!;
      expect(chat.lastDigestSlot, id).toBe(slot);
      expect(chat.lastDigestSeq, id).toBe(x.journal.readPosition);
    }
    // Changed during the run, still marked, and the change kept.
    expect((await x.core.chats.get('telegram:c'))!.script).toBe('hant');
    const joiner = (await x.core.chats.get('telegram:joiner'))!;
    expect(joiner.digestTimes).toEqual(['08:00']);
    expect(joiner.lastDigestSlot).toBeNull();
    expect(joiner.lastDigestSeq).toBeNull();

    // The joiner's own catch-up for the slot builds its digest with the article.
    expect(await x.core.digests.runScheduled('telegram:joiner', slot, slot + 6_000)).toBe('queued');
  });

  it('marks a whole group with one write when nothing changed during the run', async () => {
    queued.length = 0;
    await addArticle(2, sourceId);
    await saveLongAgo();
    const slot = Date.UTC(2026, 11, 4, 8, 0);
    let tally: Awaited<ReturnType<typeof x.core.digests.runGroup>> | undefined;
    const updates = await updatesDuring(async () => {
      tally = await x.core.digests.runGroup('08:00', 'UTC', slot, slot + 5_000);
    });
    expect(tally!.queued).toBe(6);
    expect(updates).toBe(1);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'joiner', 'idle']) {
      expect((await x.core.chats.get(`telegram:${id}`))!.lastDigestSlot, id).toBe(slot);
    }
  });

  it('marks a chat that joins while the scan streams exactly when it was built, and builds no chat twice', async () => {
    queued.length = 0;
    await addArticle(3, sourceId);
    // Batches of two: the scan is still reading when the first batch is enqueued.
    const digests = new DigestService({
      chats: x.core.chats,
      deliveries: x.stores.deliveries,
      journal: x.journal,
      articles: x.stores.articles,
      sourceNames: () => x.core.headlines.sourceNames(),
      queue,
      firstLookbackMs: x.config.FIRST_DIGEST_LOOKBACK,
      batchSize: 2,
    });
    duringEnqueue = async () => {
      await x.core.chats.ensure({
        platform: 'telegram',
        chatId: 'late',
        type: 'private',
        locale: 'zh-Hans',
        timezone: 'UTC',
      });
      await x.core.chats.subscribe('telegram:late', { sourceId });
      await x.core.chats.updateSettings('telegram:late', { digestTimes: ['08:00'] });
    };
    const slot = Date.UTC(2026, 11, 5, 8, 0);
    const tally = await digests.runGroup('08:00', 'UTC', slot, slot + 5_000);
    const keys = queued.map((r) => r.chatKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'joiner']) {
      expect(keys).toContain(`telegram:${id}`);
      const chat = (await x.core.chats.get(`telegram:${id}`))!;
      expect(chat.lastDigestSlot, id).toBe(slot);
      expect(chat.lastDigestSeq, id).toBe(x.journal.readPosition);
    }
    // Whether the scan reads the late chat depends on the server (FerretDB's cursor reads a
    // snapshot, MongoDB's may see it); either way it is marked exactly when it was built.
    const late = (await x.core.chats.get('telegram:late'))!;
    const built = keys.includes('telegram:late');
    expect(tally.queued).toBe(built ? 7 : 6);
    expect(late.lastDigestSlot).toBe(built ? slot : null);
  });

  it('never marks a chat that joined during the run from a host whose clock is behind', async () => {
    queued.length = 0;
    await addArticle(5, sourceId);
    await x.core.chats.ensure({
      platform: 'telegram',
      chatId: 'skewed',
      type: 'private',
      locale: 'zh-Hans',
      timezone: 'UTC',
    });
    await x.core.chats.subscribe('telegram:skewed', { sourceId });
    await x.core.chats.updateSettings('telegram:skewed', { digestTimes: ['10:00'] });
    // Another host, its clock 5 s behind this one's, saves the chat into the group after the
    // scan read the group: its save is stamped before the run began.
    duringEnqueue = async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() - 5_000);
      try {
        await x.core.chats.updateSettings('telegram:skewed', { digestTimes: ['08:00'] });
      } finally {
        vi.useRealTimers();
      }
    };
    const slot = Date.UTC(2026, 11, 7, 8, 0);
    await x.core.digests.runGroup('08:00', 'UTC', slot, slot + 5_000);
    expect(queued.map((r) => r.chatKey)).not.toContain('telegram:skewed');
    const skewed = (await x.core.chats.get('telegram:skewed'))!;
    expect(skewed.digestTimes).toEqual(['08:00']);
    expect(skewed.lastDigestSlot).toBeNull();
    expect(await x.core.digests.runScheduled('telegram:skewed', slot, Date.now())).toBe('queued');
  });

  it('marks a chat saved just before the run on its own, and the rest of the group in one write', async () => {
    queued.length = 0;
    await addArticle(6, sourceId);
    await saveLongAgo();
    await x.core.chats.updateSettings('telegram:a', { script: 'hant' });
    const slot = Date.UTC(2026, 11, 8, 8, 0);
    let tally: Awaited<ReturnType<typeof x.core.digests.runGroup>> | undefined;
    const updates = await updatesDuring(async () => {
      tally = await x.core.digests.runGroup('08:00', 'UTC', slot, slot + 5_000);
    });
    expect(tally!.queued).toBe(8);
    expect(updates).toBe(2);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'joiner', 'idle', 'late', 'skewed'])
      expect((await x.core.chats.get(`telegram:${id}`))!.lastDigestSlot, id).toBe(slot);
  });

  it('still marks the group in one write when a chat asks for a /digest during the run', async () => {
    queued.length = 0;
    await addArticle(7, sourceId);
    await saveLongAgo();
    duringEnqueue = async () => {
      expect(await x.core.digests.runNow('telegram:b')).toBe('queued');
    };
    const slot = Date.UTC(2026, 11, 9, 8, 0);
    const updates = await updatesDuring(async () => {
      await x.core.digests.runGroup('08:00', 'UTC', slot, slot + 5_000);
    });
    // The group's write and the /digest's own mark: a digest mark is no change to the chat.
    expect(updates).toBe(2);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'joiner', 'idle', 'late', 'skewed'])
      expect((await x.core.chats.get(`telegram:${id}`))!.lastDigestSlot, id).toBe(slot);
  });

  it('closes the group scan and marks nothing when building fails part-way', async () => {
    let closed = false;
    let inserts = 0;
    const chats = x.core.chats;
    const digests = new DigestService({
      chats: {
        get: (key) => chats.get(key),
        getMany: (keys) => chats.getMany(keys),
        instantChats: (id) => chats.instantChats(id),
        markDigests: (marks) => chats.markDigests(marks),
        markDigestGroup: (mark) => chats.markDigestGroup(mark),
        async *digestGroupScan(time, timezone, size) {
          try {
            yield* chats.digestGroupScan(time, timezone, size);
          } finally {
            closed = true;
          }
        },
      },
      deliveries: Object.assign(Object.create(x.stores.deliveries), {
        createMany: async (ds: Parameters<typeof x.stores.deliveries.createMany>[0]) => {
          if (++inserts === 2) throw new Error('database went away');
          return x.stores.deliveries.createMany(ds);
        },
      }),
      journal: x.journal,
      articles: x.stores.articles,
      sourceNames: () => x.core.headlines.sourceNames(),
      queue: { enqueue: async () => {}, enqueueMany: async () => {} },
      firstLookbackMs: x.config.FIRST_DIGEST_LOOKBACK,
      batchSize: 2,
    });
    await addArticle(4, sourceId);
    const slot = Date.UTC(2026, 11, 6, 8, 0);
    await expect(digests.runGroup('08:00', 'UTC', slot, slot + 5_000)).rejects.toThrow(/database went away/);
    expect(closed).toBe(true);
    for (const id of ['a', 'b', 'c', 'd', 'e'])
      expect((await x.core.chats.get(`telegram:${id}`))!.lastDigestSlot, id).not.toBe(slot);
  });
});
