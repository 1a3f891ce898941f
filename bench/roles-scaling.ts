/**
 * How delivery scales with worker processes: the same paid broadcast (Telegram's
 * `allow_paid_broadcast`, a fake Bot API enforcing 1,000 messages in any sliding second, in its
 * own process) sent by one `serve --role worker` process, then by three. Digests are recorded
 * first (one per chat), then the workers start; the steady rate is read from the fake's count of
 * accepted messages. Also reports 429s, chats that got nothing, and chats that got a part twice.
 */
import { randomUUID } from 'node:crypto';
import { createDeliveryPorts } from '../jobs/delivery-runtime.ts';
import { createRedis } from '../jobs/queues.ts';
import { createCoreInternals } from '../src/core.ts';
import { benchConfig, benchDbName, benchMongoUri, deleteQueueKeys, silentLog } from './lib/env.ts';
import { type RoleProcess, startRole } from './lib/role-process.ts';
import { round, sleep } from './lib/stats.ts';
import { type FakeProcess, startFakeTelegramProcess } from './lib/telegram-fake-child.ts';
import { addArticles, addSources, benchChatId, insertChats, pool } from './lib/telegram-fixture.ts';

// At the limit a broadcast of 4,000 chats lasted 4 s: too few whole seconds for a steady rate
// (the three-worker round read 0). 12,000 last about 13 s.
const CHATS = Number(process.env.BENCH_SCALING_CHATS ?? 12_000);
const LIMIT = 1000;

async function broadcast(
  fake: FakeProcess,
  dbName: string,
  workers: number,
): Promise<{ rate: number; sent: number; rateLimited: number; missing: number; doubled: number }> {
  const prefix = `bench-scale-${workers}-${randomUUID().slice(0, 8)}`;
  const config = benchConfig(dbName, { QUEUE_PREFIX: prefix });
  const ports = createDeliveryPorts(createRedis(config.REDIS_URL), prefix);
  const x = await createCoreInternals(config, silentLog, {
    schedules: ports.schedules,
    deliveryQueue: ports.deliveries,
  });
  const roles: RoleProcess[] = [];
  try {
    // Every chat gets a fresh digest in each round.
    await x.db.models.Chat.collection.updateMany({}, { $set: { lastDigestAt: null, lastDigestSeq: null } });
    const keys = (await x.core.chats.list()).map((c) => c.key);
    const outcomes: Record<string, number> = {};
    await pool(keys, 16, async (key) => {
      const o = await x.core.digests.runNow(key);
      outcomes[o] = (outcomes[o] ?? 0) + 1;
    });
    if ((outcomes.queued ?? 0) !== keys.length)
      throw new Error(`digests not queued: ${JSON.stringify(outcomes)}`);
    const before = await fake.report();
    const env = {
      MONGODB_URI: benchMongoUri(dbName),
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_PAID_BROADCAST: 'true',
      TELEGRAM_GLOBAL_RATE: String(LIMIT),
      LOG_LEVEL: 'warn',
    };
    for (let k = 0; k < workers; k++) roles.push(await startRole('worker', env));
    // Steady rate: from the first second with traffic to the last, excluding both edges.
    const samples: Array<{ at: number; accepted: number; calls: number }> = [];
    let idle = 0;
    for (;;) {
      await sleep(1000);
      const r = await fake.report();
      samples.push({ at: performance.now(), accepted: r.accepted, calls: r.sendMessageCalls });
      const last = samples.at(-2);
      // Idle counts only once traffic started (workers take seconds to load their modules).
      const started = r.accepted > before.accepted;
      idle = started && last && last.accepted === r.accepted ? idle + 1 : 0;
      if (r.accepted - before.accepted >= keys.length || idle >= 20 || samples.length > 600) break;
    }
    const busy = samples.filter((s, i) => i > 0 && s.accepted > samples[i - 1]!.accepted);
    const first = busy[1] ?? busy[0];
    const last = busy.at(-2) ?? busy.at(-1);
    if (!first || !last || last.at <= first.at)
      throw new Error(
        `the broadcast of ${keys.length} chats was too short for a steady rate (BENCH_SCALING_CHATS)`,
      );
    const rate = ((last.accepted - first.accepted) / (last.at - first.at)) * 1000;
    const after = await fake.report();
    let missing = 0;
    let doubled = 0;
    for (let n = 0; n < keys.length; n++) {
      const got =
        (after.perChat[String(benchChatId(n))] ?? 0) - (before.perChat[String(benchChatId(n))] ?? 0);
      if (got === 0) missing++;
      if (got > 1) doubled += got - 1;
    }
    return {
      rate,
      sent: after.accepted - before.accepted,
      rateLimited: after.sendMessageCalls - before.sendMessageCalls - (after.accepted - before.accepted),
      missing,
      doubled,
    };
  } finally {
    for (const r of roles) await r.stop().catch(() => {});
    await ports.close();
    await ports.connection.quit();
    await x.core.close();
    await deleteQueueKeys(prefix);
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const dbName = benchDbName('scaling');
  const fake = await startFakeTelegramProcess();
  const x = await createCoreInternals(benchConfig(dbName), silentLog);
  try {
    const sourceIds = await addSources(x, 10);
    await addArticles(x, sourceIds, 200);
    await insertChats(x, sourceIds, CHATS, 2);
    await fake.setRateLimit(LIMIT);
    const one = await broadcast(fake, dbName, 1);
    const three = await broadcast(fake, dbName, 3);
    return {
      chats: CHATS,
      limit_per_s: LIMIT,
      one_worker_per_s: round(one.rate, 0),
      three_workers_per_s: round(three.rate, 0),
      scaling_ratio: round(three.rate / Math.max(1, one.rate), 2),
      one_429: one.rateLimited,
      three_429: three.rateLimited,
      missing: one.missing + three.missing,
      doubled: one.doubled + three.doubled,
    };
  } finally {
    await x.db.drop().catch(() => {});
    await x.core.close();
    await fake.close();
  }
}
