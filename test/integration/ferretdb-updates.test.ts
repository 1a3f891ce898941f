/**
 * Updates of many documents on the local FerretDB (decision 0018). Its `updateMany` wrote each
 * document in a transaction of its own while the query still read; SQLite could not checkpoint
 * its write-ahead log under that read, so the log grew by about 8 kB a document and every page
 * access searched all of it — a digest group's mark took minutes at 100,000 chats. The build
 * patches it to write batches of 1,000. An update must still change every matching document
 * once, across batches, and leave the others alone.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferretSqliteDir } from '../../src/local-services.ts';
import { testEnv } from '../helpers/test-env.ts';

const env = testEnv();
let client: MongoClient;
const dbName = new URL(env.config.MONGODB_URI).pathname.slice(1);

beforeAll(async () => {
  client = await new MongoClient(env.config.MONGODB_URI).connect();
});
afterAll(async () => {
  await client.close();
  await env.drop();
});

const N = 2500;
const docs = () =>
  Array.from({ length: N }, (_, i) => ({
    _id: `chat:${String(i).padStart(5, '0')}`,
    group: i % 5 === 0 ? 'other' : 'morning',
    slot: null as number | null,
    settings: '设置'.repeat(300),
  }));

/** Size of a database's write-ahead log, when the server is the local FerretDB. */
function walBytes(db: string): number | null {
  const file = path.join(ferretSqliteDir, `${db}.sqlite-wal`);
  return existsSync(file) ? statSync(file).size : null;
}

describe('updating many documents', () => {
  it('changes every matching document once across batches, and no other', async () => {
    const col = client.db(dbName).collection('many');
    await col.insertMany(docs() as never[]);
    const res = await col.updateMany({ group: 'morning' }, { $set: { slot: 7 } });
    expect(res.matchedCount).toBe(2000);
    expect(res.modifiedCount).toBe(2000);
    expect(await col.countDocuments({ slot: 7 })).toBe(2000);
    expect(await col.countDocuments({ group: 'other', slot: null })).toBe(500);
    // Matched but unchanged: nothing modified.
    expect((await col.updateMany({ group: 'morning' }, { $set: { slot: 7 } })).modifiedCount).toBe(0);
    // findAndModify still returns what it changed.
    const one = await col.findOneAndUpdate(
      { _id: 'chat:00001' as never },
      { $set: { slot: 8 } },
      { returnDocument: 'after' },
    );
    expect(one?.slot).toBe(8);
  });

  it('grows the local server’s write-ahead log by far less than a page per document', async (ctx) => {
    // A database of its own: a log already grown by other writes would hide this one's growth.
    const db = client.db(`${dbName}_wal`);
    try {
      const col = db.collection('wal');
      await col.insertMany(docs() as never[]);
      const before = walBytes(db.databaseName);
      if (before === null) ctx.skip();
      await col.updateMany({}, { $set: { slot: 9 } });
      // One transaction per document wrote about 8 kB of log each (two pages); batches write the
      // pages a thousand documents share once.
      expect((walBytes(db.databaseName)! - before!) / N).toBeLessThan(4096);
    } finally {
      await db.dropDatabase();
    }
  });
});
