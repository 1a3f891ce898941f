/**
 * Resident memory and CPU of each role of the production topology, as separate processes
 * (`newsrelay serve --role scheduler|worker|bot`) over a 100,000-article archive: each role is
 * started, made to do its typical work once — the bot answers a /search and a /digest through the
 * fake Bot API, the worker builds and sends that digest, the scheduler rebuilds schedules, runs
 * its ticks and compacts the search journal — then its resident set (now and peak) and CPU
 * seconds are read from /proc.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE } from '../jobs/queues.ts';
import { createCoreInternals } from '../src/core.ts';
import { startFakeTelegram } from '../test/fakes/telegram-bot-api.ts';
import { waitFor } from '../test/fakes/wait-for.ts';
import { buildCorpus, dropDatabase, takeCorpus } from './lib/corpus.ts';
import { benchConfig, benchMongoUri, deleteQueueKeys, silentLog } from './lib/env.ts';
import { type RoleProcess, startRole } from './lib/role-process.ts';
import { round, sleep } from './lib/stats.ts';

const CHAT = 880_001;

export async function run(): Promise<Record<string, number | string>> {
  const kept = takeCorpus();
  let corpus = kept;
  if (!corpus) {
    const built = await buildCorpus();
    await built.core.core.close();
    corpus = built.stats;
  }
  const dbName = corpus.dbName;
  const prefix = `bench-roles-${randomUUID().slice(0, 8)}`;
  const fake = await startFakeTelegram();
  const roles: RoleProcess[] = [];
  try {
    // A reader subscribed to three of the archive's sources.
    const x = await createCoreInternals(benchConfig(dbName), silentLog);
    const sources = (await x.core.sources.list()).slice(0, 3);
    await x.core.chats.ensure({
      platform: 'telegram',
      chatId: String(CHAT),
      type: 'private',
      locale: 'en',
      timezone: 'UTC',
    });
    for (const s of sources) await x.core.chats.subscribe(`telegram:${CHAT}`, { sourceId: s.id });
    await x.core.close();

    const env = {
      MONGODB_URI: benchMongoUri(dbName),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      LOG_LEVEL: 'warn',
      DEFAULT_LOCALE: 'en',
      FIRST_DIGEST_LOOKBACK: '3650d',
    };
    const start = performance.now();
    for (const role of ['scheduler', 'worker', 'bot']) roles.push(await startRole(role, env));
    const bot = roles[2]!;
    await waitFor(() => bot.ready(), 60_000, { message: 'the bot did not become ready' });
    const dm = { id: CHAT, type: 'private' as const };
    const from = { id: CHAT, language_code: 'en' };
    const before = fake.sentMessages(CHAT).length;
    fake.sendText(dm, from, '/search 香港');
    await waitFor(() => fake.sentMessages(CHAT).length > before, 120_000, { message: 'no /search answer' });
    fake.sendText(dm, from, '/digest');
    await waitFor(() => fake.sentMessages(CHAT).some((m) => m.text?.includes('NewsRelay digest')), 120_000, {
      message: 'no digest arrived',
    });
    // The scheduler's hourly compaction, which reads the whole journal (it held the index for it).
    const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    const compaction = new Queue(QUEUE.compaction, { connection, prefix });
    try {
      const job = await compaction.add('compact', {});
      await waitFor(async () => ['completed', 'failed'].includes(await job.getState()), 300_000, {
        message: 'the compaction did not finish',
      });
      if ((await job.getState()) === 'failed') throw new Error(`compaction failed: ${job.failedReason}`);
    } finally {
      await compaction.close();
      connection.disconnect();
    }
    const workMs = performance.now() - start;
    await sleep(5_000);
    const out: Record<string, number | string> = {
      articles: corpus.articles,
      scenario_s: round(workMs / 1000, 1),
    };
    for (const r of roles) {
      const u = r.usage();
      out[`${r.role}_rss_mb`] = round(u.rssMb, 0);
      out[`${r.role}_peak_mb`] = round(u.peakMb, 0);
      out[`${r.role}_cpu_s`] = round(u.cpuSeconds, 1);
    }
    return out;
  } finally {
    for (const r of roles) await r.stop().catch(() => {});
    await fake.close();
    await deleteQueueKeys(prefix);
    if (!kept) await dropDatabase(dbName).catch(() => {});
  }
}
