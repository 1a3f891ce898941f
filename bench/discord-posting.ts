/**
 * Channel-feed posting to 1,000 channels through a BullMQ queue with the global cap
 * (DISCORD_GLOBAL_RATE, BullMQ limiter) and the Discord sender (discord.js buckets) against the
 * fake Discord enforcing a global limit: achieved rate ÷ cap, 429s seen, duplicates, lost.
 */
import { Queue, Worker } from 'bullmq';
import { createDiscordAdapter } from '../adapters/discord/index.ts';
import { createRedis } from '../jobs/queues.ts';
import { createCoreInternals } from '../src/core.ts';
import type { Chat, OutgoingMessage } from '../src/domain/types.ts';
import { DeliveryError } from '../src/errors.ts';
import { startFakeDiscord } from '../test/fakes/discord-api.ts';
import { waitFor } from '../test/fakes/wait-for.ts';
import { benchConfig, benchDbName, deleteQueueKeys, silentLog } from './lib/env.ts';
import { round } from './lib/stats.ts';

const CHANNELS = 1000;
const GUILD = '940000000000000001';
const channelId = (n: number) => (940000000000100000n + BigInt(n)).toString();

function instant(n: number): OutgoingMessage {
  return {
    kind: 'instant',
    locale: 'zh-Hans',
    heading: '上海日报 新消息',
    groups: [
      {
        sourceName: '上海日报',
        items: [
          {
            articleId: `a${n}`,
            title: `地铁新线开通 ${n}`,
            url: `https://sh.example.cn/${n}.htm`,
            sourceName: '上海日报',
            publishedAt: new Date().toISOString(),
            alsoReportedBy: [],
          },
        ],
      },
    ],
    threadId: null,
    timezone: 'Asia/Shanghai',
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const fake = await startFakeDiscord();
  const cap = 40;
  fake.addGuild({
    id: GUILD,
    name: 'bench',
    channels: Array.from({ length: CHANNELS }, (_, n) => ({ id: channelId(n), name: `c${n}`, type: 0 })),
  });
  // Discord's global limit is 50/s per bot; the cap stays under it.
  fake.setRateLimits({ globalPerSecond: 50, channelMessagesPer5s: 5 });
  const prefix = `bench-dpost-${Date.now()}`;
  const dbName = benchDbName('discord_post');
  const config = benchConfig(dbName, {
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: `${fake.url}/api`,
    QUEUE_PREFIX: prefix,
    DISCORD_GLOBAL_RATE: String(cap),
  });
  const core = await createCoreInternals(config, silentLog);
  const chats = core.core.chats;
  const adapter = createDiscordAdapter({ config, core: core.core });
  const connection = createRedis(config.REDIS_URL);
  const queue = new Queue('bench-deliver-discord', { connection, prefix });
  let worker: Worker | null = null;
  try {
    await adapter.start();
    const chatsById = new Map<string, Chat>();
    for (let n = 0; n < CHANNELS; n++) {
      const c = await chats.ensure({
        platform: 'discord',
        chatId: channelId(n),
        type: 'guild-channel',
        parentKey: `discord:${GUILD}`,
        locale: 'zh-Hans',
        timezone: 'Asia/Shanghai',
      });
      chatsById.set(c.chatId, c);
    }
    let failed = 0;
    worker = new Worker(
      'bench-deliver-discord',
      async (job) => {
        const { n } = job.data as { n: number };
        try {
          await adapter.sender.sendPart(chatsById.get(channelId(n))!, instant(n), 0);
        } catch (err) {
          if (err instanceof DeliveryError && err.retryAfterMs !== undefined) {
            await worker!.rateLimit(err.retryAfterMs);
            throw Worker.RateLimitError();
          }
          throw err;
        }
      },
      {
        connection: createRedis(config.REDIS_URL),
        prefix,
        concurrency: 50,
        limiter: { max: cap, duration: 1000 },
      },
    );
    worker.on('failed', () => failed++);
    const t0 = Date.now();
    await queue.addBulk(
      Array.from({ length: CHANNELS }, (_, n) => ({
        name: 'deliver',
        data: { n },
        opts: { jobId: `p-${n}`, attempts: 5, backoff: { type: 'exponential', delay: 500 } },
      })),
    );
    const posted = () =>
      fake.restTo('POST', /^\/channels\/\d+\/messages$/).filter((r) => r.status === 200).length;
    await waitFor(() => posted() + failed >= CHANNELS, 180_000, { intervalMs: 50 });
    const seconds = (Date.now() - t0) / 1000;
    let duplicates = 0;
    let lost = 0;
    for (let n = 0; n < CHANNELS; n++) {
      const got = fake.channelMessages(channelId(n)).length;
      if (got === 0) lost++;
      if (got > 1) duplicates += got - 1;
    }
    const statuses = fake.restTo('POST', /^\/channels\/\d+\/messages$/).map((r) => r.status);
    const rate = CHANNELS / seconds;
    return {
      channels: CHANNELS,
      cap_per_s: cap,
      seconds: round(seconds),
      achieved_per_s: round(rate),
      rate_over_cap: round(rate / cap, 3),
      responses_429: statuses.filter((s) => s === 429).length,
      duplicates,
      lost,
      failed_jobs: failed,
    };
  } finally {
    await worker?.close();
    await queue.close();
    connection.disconnect();
    await adapter.stop();
    await fake.close();
    await core.db.drop().catch(() => {});
    await core.core.close();
    await deleteQueueKeys(prefix);
  }
}
