/**
 * How a chat is stored (decision 0017): the fields queries and digest marks use are top-level, the
 * rest of its settings one JSON text field, because FerretDB decodes every nested field of every
 * chat a scan reads. A chat must read back exactly as saved (dates included); a chat stored
 * before, with every field top-level, must still be read, found by its sources and rewritten in
 * the new shape by its next save.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chat } from '../../src/domain/types.ts';
import { newChat } from '../../src/store/chat-store.ts';
import { createTestCore, type TestCore } from '../helpers/test-core.ts';

let t: TestCore;
beforeAll(async () => {
  t = await createTestCore();
});
afterAll(async () => {
  await t.cleanup();
});

const raw = (key: string) => t.db.models.Chat.collection.findOne({ _id: key as never });

function subscribedChat(chatId: string, sourceId: string): Chat {
  const chat = newChat({
    platform: 'telegram',
    chatId,
    type: 'group',
    locale: 'zh-Hant',
    timezone: 'Asia/Hong_Kong',
  });
  chat.title = '港聞組';
  chat.script = 'hant';
  chat.include = ['港'];
  chat.subscriptions = [
    {
      id: 'a1',
      kind: 'source',
      sourceId,
      keyword: null,
      instant: true,
      threadId: '12',
      name: '港台',
      include: [],
      exclude: ['體育'],
      muted: false,
      format: 'summary',
      createdAt: new Date('2026-11-30T01:02:03.456Z'),
    },
    {
      id: 'a2',
      kind: 'keyword',
      sourceId: null,
      keyword: '颱風',
      instant: false,
      threadId: null,
      name: null,
      include: [],
      exclude: [],
      muted: true,
      format: null,
      createdAt: new Date('2026-12-01T00:00:00.000Z'),
    },
  ];
  chat.itemFormat = 'full';
  chat.linkPreviews = true;
  return chat;
}

describe('chat documents', () => {
  it('keep settings and subscriptions as one text field and read back exactly as saved', async () => {
    const chat = subscribedChat('-1001', 'src-hk');
    await t.stores.chats.save(chat);
    const doc = (await raw(chat.key))!;
    expect(typeof doc.settings).toBe('string');
    expect(doc).not.toHaveProperty('subscriptions');
    expect(doc).not.toHaveProperty('locale');
    expect(doc).toMatchObject({
      platform: 'telegram',
      chatId: '-1001',
      timezone: 'Asia/Hong_Kong',
      digestTimes: ['08:00'],
      active: true,
      paused: false,
      sourceIds: ['src-hk'],
    });
    expect(await t.stores.chats.get(chat.key)).toEqual(chat);
    expect((await t.core.chats.digestGroup('08:00', 'Asia/Hong_Kong')).map((c) => c.key)).toEqual([chat.key]);
    expect((await t.stores.chats.subscribersOf('src-hk')).map((c) => c.key)).toEqual([chat.key]);
  });

  it('read a chat stored before, find it by its source, and rewrite it in the new shape on save', async () => {
    const createdAt = new Date('2026-10-01T00:00:00.000Z');
    await t.db.models.Chat.collection.insertOne({
      _id: 'telegram:-2002',
      platform: 'telegram',
      chatId: '-2002',
      type: 'group',
      title: '舊群',
      parentKey: null,
      locale: 'zh-Hans',
      script: 'original',
      timezone: 'Asia/Shanghai',
      digestTimes: ['07:30'],
      paused: false,
      active: true,
      deactivatedReason: null,
      include: [],
      exclude: ['广告'],
      subscriptions: [
        { id: 'o1', kind: 'source', sourceId: 'src-old', keyword: null, instant: false, createdAt },
      ],
      lastDigestAt: null,
      lastDigestSlot: 5,
      lastDigestSeq: 9,
      createdAt,
      updatedAt: createdAt,
    } as never);
    const before = (await t.stores.chats.get('telegram:-2002'))!;
    expect(before).toMatchObject({ title: '舊群', exclude: ['广告'], lastDigestSlot: 5, lastDigestSeq: 9 });
    expect(before.subscriptions).toEqual([
      {
        id: 'o1',
        kind: 'source',
        sourceId: 'src-old',
        keyword: null,
        instant: false,
        threadId: null,
        name: null,
        include: [],
        exclude: [],
        muted: false,
        format: null,
        createdAt,
      },
    ]);
    expect((await t.stores.chats.subscribersOf('src-old')).map((c) => c.key)).toEqual(['telegram:-2002']);

    await t.stores.chats.update('telegram:-2002', (c) => {
      c.paused = true;
    });
    const doc = (await raw('telegram:-2002'))!;
    expect(typeof doc.settings).toBe('string');
    expect(doc).not.toHaveProperty('subscriptions');
    expect(doc).toMatchObject({ sourceIds: ['src-old'], paused: true });
    expect(await t.stores.chats.get('telegram:-2002')).toEqual({ ...before, paused: true });
    expect((await t.stores.chats.subscribersOf('src-old')).map((c) => c.key)).toEqual(['telegram:-2002']);
  });
});
