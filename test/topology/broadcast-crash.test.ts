/**
 * A worker SIGKILLed in the middle of a 2,000-chat digest broadcast (split topology: one
 * scheduler, two workers, separate processes on an own Redis and FerretDB). After the worker is
 * restarted, no chat may be missing its digest, and duplicates may be at most the messages that
 * were in flight when it died: deliver jobs active at that moment.
 *
 * The chats are bulk-inserted in ChatStore's shape (bench/lib/telegram-fixture.ts) with a digest
 * time two minutes ago, so the scheduler's start-up catch-up makes every digest due at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addArticles, addSources, benchChatId, insertChats } from '../../bench/lib/telegram-fixture.ts';
import { deliverQueueName, QUEUE } from '../../jobs/queues.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type CoreInternals, createCoreInternals } from '../../src/core.ts';
import { createLogger } from '../../src/log.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram-bot-api.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { type OwnServers, startOwnServers } from './own-servers.ts';
import { type ProcessSet, processSet, type RoleProcess, waitReady } from './process-harness.ts';
import {
  distinctiveTelegramToken,
  linesWithSecrets,
  type QueueWatch,
  roleEnv,
  watchQueues,
} from './topology-env.ts';

const CHATS = 2_000;
/** Messages per second overall: the broadcast lasts long enough to be killed in the middle. */
const RATE = 100;

let servers: OwnServers;
let fake: FakeTelegram;
let procs: ProcessSet;
let seed: CoreInternals | null = null;
let queues: QueueWatch;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

beforeAll(async () => {
  servers = await startOwnServers();
  fake = await startFakeTelegram({ token: distinctiveTelegramToken() });
  const env = roleEnv(servers, {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
    TELEGRAM_GLOBAL_RATE: String(RATE),
    LOG_LEVEL: 'warn',
  });
  procs = processSet(env);
  seed = await createCoreInternals(loadConfig({ ...env, LOG_LEVEL: 'silent' }), createLogger('silent'));
  const sources = await addSources(seed, 2);
  await addArticles(seed, sources, 6);
  // The generated sources live on unresolvable hosts: keep the poll tick away from them.
  await seed.db.models.Source.collection.updateMany({}, {
    $set: { nextFetchAt: new Date(Date.now() + 86_400_000) },
  } as never);
  await insertChats(seed, sources, CHATS, 1);
  await seed.db.models.Chat.collection.updateMany({}, {
    $set: { digestTimes: [hhmm(Date.now() - 120_000)], timezone: 'UTC' },
  } as never);
  queues = watchQueues(servers.redisUrl, env.QUEUE_PREFIX!, [QUEUE.digest, deliverQueueName('telegram')]);
}, 120_000);

afterAll(async () => {
  await procs?.stopAll();
  await queues?.close();
  await seed?.core.close();
  await fake?.close();
  await servers?.stop();
});

const withLogs = (err: unknown): never => {
  throw new Error(`${(err as Error).message}\n${procs.outputs().slice(-6000)}`);
};

/** Messages the fake accepted, per chat id. */
function sentPerChat(): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const m of fake.sentMessages()) out.set(m.chat_id, [...(out.get(m.chat_id) ?? []), m.text ?? '']);
  return out;
}

describe('a worker killed mid-broadcast (scheduler + 2 workers as processes)', () => {
  it('after its restart, every chat has its digest and duplicates stay within the messages in flight', async () => {
    const [w1] = await Promise.all([procs.start('worker'), procs.start('worker')]);
    const started = Date.now();
    // Not waited for: the scheduler answers /readyz only after rebuilding every chat's schedule,
    // and it enqueues the due digests (start-up catch-up) while it does.
    const scheduler = procs.spawn('scheduler');
    let schedulerReadyMs: number | null = null;
    void waitReady(scheduler, 200_000).then(
      () => {
        schedulerReadyMs = Date.now() - started;
      },
      () => {},
    );
    const killAt = Math.floor(CHATS * 0.3);
    await waitFor(() => fake.callsTo('sendMessage').length >= killAt, 120_000, {
      intervalMs: 5,
      message: `the broadcast did not reach ${killAt} messages`,
    }).catch(withLogs);
    const killedAtMs = Date.now() - started;
    await (w1 as RoleProcess).kill();
    // The killed worker's jobs stay active until their locks expire: counted right after the
    // kill, the active deliver jobs include every message that may have reached Telegram
    // without being recorded (and the surviving worker's, which finish normally).
    const inFlight = await queues.active(deliverQueueName('telegram'));
    const digestsInFlight = await queues.active(QUEUE.digest);
    const sentAtKill = fake.callsTo('sendMessage').length;
    await procs.start('worker').catch(withLogs);

    const ids = Array.from({ length: CHATS }, (_, n) => benchChatId(n));
    const missingChats = () => {
      const per = sentPerChat();
      return ids.filter((id) => !per.has(id)).length;
    };
    await waitFor(() => missingChats() === 0, 180_000, { intervalMs: 500 }).catch((err: unknown) =>
      withLogs(new Error(`${(err as Error).message}: ${missingChats()} chats without a digest`)),
    );
    const servedMs = Date.now() - started;
    // Settled: nothing left in the digest and deliver queues (bar tomorrow's scheduled digests).
    await waitFor(async () => (await queues.pending([QUEUE.digest])) === 0, 90_000, {
      intervalMs: 250,
    }).catch(async (err: unknown) =>
      withLogs(new Error(`${(err as Error).message}: ${JSON.stringify(await queues.counts())}`)),
    );
    let duplicates = 0;
    for (const texts of sentPerChat().values()) duplicates += texts.length - new Set(texts).size;
    process.stdout.write(
      `broadcast-crash: ${CHATS} chats, ${fake.callsTo('sendMessage').length} messages; worker SIGKILLed at ` +
        `${killedAtMs} ms after ${sentAtKill} sends, with ${inFlight} deliver and ${digestsInFlight} digest ` +
        `jobs active; every chat served at ${servedMs} ms; scheduler ready at ${schedulerReadyMs ?? '-'} ms; ` +
        `missing ${missingChats()}, duplicates ${duplicates} (bound ${inFlight})\n`,
    );
    expect(missingChats()).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(inFlight);
    expect(procs.processes.filter((p) => p !== w1 && !p.alive).map((p) => p.name)).toEqual([]);
  }, 300_000);

  it('no process log contains the bot token', () => {
    expect(linesWithSecrets(procs, [fake.token])).toEqual([]);
  });
});
