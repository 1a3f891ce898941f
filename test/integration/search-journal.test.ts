import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/database.ts';
import { type IndexEntry, SearchIndex } from '../../src/store/search-index.ts';
import { SearchJournal } from '../../src/store/search-journal.ts';
import { fingerprint } from '../../src/text/fingerprint.ts';
import { indexTerms, queryTerms } from '../../src/text/index-terms.ts';

const uri = `mongodb://127.0.0.1:27017/test_journal_${randomUUID().slice(0, 8)}`;
let db: Database;

function entry(id: string, title: string, at: number): IndexEntry {
  return { i: id, s: 'src1', p: at, f: at, fp: fingerprint(title), c: id, t: indexTerms(title) };
}

/** Runs `fn` on a database of its own (`test_<name>_…`), dropped afterwards. */
async function onFreshDatabase(name: string, fn: (db: Database) => Promise<void>): Promise<void> {
  const own = await openDatabase(`mongodb://127.0.0.1:27017/test_${name}_${randomUUID().slice(0, 8)}`);
  try {
    await fn(own);
  } finally {
    await own.drop();
    await own.close();
  }
}

beforeAll(async () => {
  db = await openDatabase(uri);
});
afterAll(async () => {
  await db.drop();
  await db.close();
});

describe('search journal on the real database', () => {
  it('the first appends on a fresh database, at once from many writers, all land', async () => {
    // Two writers creating the journal counter together: FerretDB answers the second upsert
    // with a duplicate key (E11000), which failed that ingest (the hostile-corpus test saw it).
    for (let round = 0; round < 5; round++) {
      await onFreshDatabase('jfresh', async (fresh) => {
        const writers = Array.from({ length: 6 }, () => new SearchJournal(fresh.models, new SearchIndex()));
        await Promise.all(
          writers.map((w, k) => w.append([entry(`f${round}-${k}`, `首批并发写入第${k}条`, 1000 + k)])),
        );
        const reader = new SearchJournal(fresh.models, new SearchIndex());
        expect(await reader.refresh()).toBe(6);
      });
    }
  });

  it('a second process sees what the first appended, and search is script-insensitive', async () => {
    const writer = new SearchJournal(db.models, new SearchIndex());
    await writer.append([
      entry('a1', '李家超參觀香港抗戰及海防博物館', 1000),
      entry('a2', '“上合”人文交流和民间外交情况有哪些亮点?', 2000),
    ]);
    await writer.append([entry('a3', '上合组织天津峰会丨新华社快讯', 3000)]);

    const reader = new SearchJournal(db.models, new SearchIndex());
    expect(await reader.refresh()).toBe(2);
    expect(reader.index.search(queryTerms('李家超参观')).map((h) => h.id)).toEqual(['a1']);
    expect(reader.index.search(queryTerms('上合')).map((h) => h.id)).toEqual(['a3', 'a2']);

    await writer.append([entry('a4', '上合峰会新闻中心举行吹风会', 4000)]);
    expect(await reader.refresh()).toBe(1);
    expect(reader.index.search(queryTerms('上合')).map((h) => h.id)[0]).toBe('a4');
  });

  it('skips a number a crashed writer reserved but never wrote, after a patience period', async () => {
    const writer = new SearchJournal(db.models, new SearchIndex());
    const reader = new SearchJournal(db.models, new SearchIndex());
    await reader.refresh();
    // Reserve a number and "crash" before inserting the batch.
    await db.models.Counter.collection.updateOne({ _id: 'journal' as never }, { $inc: { n: 1 } });
    await writer.append([entry('b1', '香港人才博覽會釋放數千職位', 5000)]);
    await reader.refresh();
    expect(reader.index.has('b1')).toBe(false);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 31_000;
      await reader.refresh();
    } finally {
      Date.now = realNow;
    }
    expect(reader.index.has('b1')).toBe(true);
  });

  it('compaction folds batches into segments that a new process loads, and drops deleted articles', async () => {
    const writer = new SearchJournal(db.models, new SearchIndex());
    for (let k = 0; k < 210; k++) await writer.append([entry(`c${k}`, `深水灣泳灘第${k}號新聞`, 10_000 + k)]);
    writer.index.remove(['c0']);
    // The gap the previous test left is older than the patience period by now, as it would be.
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 31_000;
      expect(await writer.compact()).toBeGreaterThan(0);
    } finally {
      Date.now = realNow;
    }
    expect(await db.models.Journal.collection.countDocuments()).toBe(0);

    const fresh = new SearchJournal(db.models, new SearchIndex());
    await fresh.refresh();
    expect(fresh.index.has('c209')).toBe(true);
    expect(fresh.index.has('a1')).toBe(true);
    expect(fresh.index.has('c0')).toBe(false);

    await writer.append([entry('d1', '大嶼山南分區警署報案室', 20_000)]);
    await fresh.refresh();
    expect(fresh.index.has('d1')).toBe(true);
  });

  it('compaction deletes segments whose articles are all past retention; a new process neither reads nor keeps them', async () => {
    let now = 10_000_000;
    const aging = () => new SearchIndex({ retentionMs: 5_000_000, now: () => now });
    const writer = new SearchJournal(db.models, aging());
    const compact = async () => {
      // Past the gap patience, as in the test above.
      const realNow = Date.now;
      try {
        Date.now = () => realNow() + 31_000;
        return await writer.compact();
      } finally {
        Date.now = realNow;
      }
    };
    for (let k = 0; k < 210; k++) await writer.append([entry(`old${k}`, `旧闻第${k}号`, 9_000_000 + k)]);
    expect(await compact()).toBeGreaterThan(0);
    const oldSegments = (
      await db.models.Segment.collection.find({}, { projection: { _id: 1 } }).toArray()
    ).map((d) => d._id);

    now = 15_000_000;
    for (let k = 0; k < 210; k++) await writer.append([entry(`new${k}`, `新闻第${k}号`, 14_000_000 + k)]);
    expect(await compact()).toBeGreaterThan(0);
    const left = await db.models.Segment.collection.countDocuments({ _id: { $in: oldSegments } });
    expect(left).toBe(0);

    const fresh = new SearchJournal(db.models, aging());
    await fresh.refresh();
    expect(fresh.index.has('new209')).toBe(true);
    expect(fresh.index.has('old209')).toBe(false);
    expect(fresh.index.size).toBe(210);
    // Nothing more to delete: the newest segment stays.
    expect(await compact()).toBe(0);
    expect(await db.models.Segment.collection.countDocuments()).toBeGreaterThan(0);
  });

  it('a segment written before segments were packed still loads', async () => {
    await onFreshDatabase('jold', async (old) => {
      await old.models.Segment.collection.insertOne({
        _id: 's00000001',
        from: 1,
        to: 4,
        data: JSON.stringify([entry('o1', '旧格式分段里的新闻', 5000)]),
      } as never);
      await old.models.Counter.collection.insertOne({ _id: 'segments', n: 1, to: 4 } as never);
      const reader = new SearchJournal(old.models, new SearchIndex());
      await reader.refresh();
      expect(reader.index.search(queryTerms('旧格式'))).toMatchObject([{ id: 'o1', seq: 4 }]);
    });
  });

  it('a segment that does not inflate fails the refresh with a clear error, and reads still pending do not go unhandled', async () => {
    await onFreshDatabase('jbad', async (bad) => {
      await bad.models.Segment.collection.insertOne({
        _id: 's00000001',
        from: 1,
        to: 1,
        packed: Buffer.from('not deflated at all'),
      } as never);
      await bad.models.Counter.collection.insertOne({ _id: 'segments', n: 3, to: 3 } as never);
      const collection = bad.models.Segment.collection;
      const findOne = collection.findOne.bind(collection);
      // The reads of the segments after it fail too (the database went away), after the first failed.
      collection.findOne = ((filter: { _id: string }) =>
        filter._id === 's00000001'
          ? findOne(filter as never)
          : new Promise((_, reject) => setTimeout(() => reject(new Error('connection lost')), 50))) as never;
      const reader = new SearchJournal(bad.models, new SearchIndex());
      await expect(reader.refresh()).rejects.toThrow(/does not inflate/);
      await new Promise((r) => setTimeout(r, 100));
    });
  });

  it('a process without an index (the scheduler) compacts the journal by the retention period alone', async () => {
    await onFreshDatabase('jnoidx', async (own) => {
      const day = 86_400_000;
      const now = Date.now();
      const writer = new SearchJournal(own.models, new SearchIndex());
      for (let k = 0; k < 205; k++) {
        const at = k < 100 ? now - 40 * day + k : now - 1000 + k;
        await writer.append([entry(`${k < 100 ? 'old' : 'new'}${k}`, `调度进程第${k}号新闻`, at)]);
      }
      const scheduler = new SearchJournal(own.models, null, { retentionMs: 30 * day });
      expect(await scheduler.compact()).toBeGreaterThan(0);
      expect(scheduler.indexed).toBe(0);
      expect(() => scheduler.index).toThrow(/holds no search index/);
      expect(await own.models.Journal.collection.countDocuments()).toBe(0);

      const reader = new SearchJournal(own.models, new SearchIndex());
      await reader.refresh();
      expect(reader.index.size).toBe(105);
      expect(reader.index.has('new204')).toBe(true);
      expect(reader.index.has('old0')).toBe(false);
    });
  });

  it('splits a batch larger than a document may be (it failed on every poll) and reads it back', async () => {
    const writer = new SearchJournal(db.models, new SearchIndex());
    const reader = new SearchJournal(db.models, new SearchIndex());
    await reader.refresh();
    const before = await db.models.Journal.collection.countDocuments();
    // 3,000 entries of 700 two-character terms: about 19 MB of JSON, over MongoDB's 16 MiB.
    const terms = Array.from({ length: 700 }, (_, k) => String.fromCodePoint(0x4e00 + (k % 500), 0x4e00 + k));
    const big = Array.from({ length: 3000 }, (_, n) => ({
      ...entry(`big${n}`, '大批量', 6000 + n),
      t: terms,
    }));
    await writer.append(big);
    const docs = (await db.models.Journal.collection.find({}).toArray()) as unknown as Array<{
      data: string;
    }>;
    expect(docs.length - before).toBeGreaterThanOrEqual(5);
    for (const d of docs) expect(Buffer.byteLength(d.data)).toBeLessThanOrEqual(4 * 1024 * 1024);
    await reader.refresh();
    expect(big.every((e) => reader.index.has(e.i))).toBe(true);
  }, 60_000);
});
