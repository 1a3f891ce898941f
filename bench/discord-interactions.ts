/**
 * 200 concurrent /headlines and /search interactions over the 100,000-article corpus, through the
 * real discord.js client and the fake Discord: time from dispatch to the first answer (reply or
 * deferral) and to the final answer, p50 / p99, how many got no answer at all, how many no final
 * answer within 60 s, and how many first answers missed 3 s.
 */
import { createDiscordAdapter } from '../adapters/discord/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../test/fakes/discord-api.ts';
import { waitFor } from '../test/fakes/wait-for.ts';
import { buildCorpus } from './lib/corpus.ts';
import { benchConfig, deleteQueueKeys } from './lib/env.ts';
import { percentile, round } from './lib/stats.ts';

const CONCURRENT = Number(process.env.BENCH_DISCORD_CONCURRENT ?? 200);
const GUILD = '930000000000000001';
const CHANNEL = '930000000000000010';
const QUERIES = ['上海', '香港', '峰会', '經濟', '合作 组织', '林郑月娥', '國際', '美国 总统'];

/** Longest wait for a final answer (200 queries over 100,000 articles are CPU-bound work). */
const FINAL_WAIT_MS = 60_000;

async function burst(
  fake: FakeDiscord,
): Promise<{ first: number[]; final: number[]; missed: number; noFinal: number }> {
  const started = Array.from({ length: CONCURRENT }, (_, n) => {
    const search = n % 2 === 1;
    const options = search
      ? [{ name: 'query', type: 3, value: QUERIES[n % QUERIES.length]! }]
      : [{ name: 'limit', type: 4, value: 10 }];
    const at = Date.now();
    const { token } = fake.interact({
      type: 2,
      name: search ? 'search' : 'headlines',
      guildId: GUILD,
      channelId: CHANNEL,
      locale: 'zh-CN',
      options,
    });
    return { at, token };
  });
  const first: number[] = [];
  const final: number[] = [];
  let missed = 0;
  let noFinal = 0;
  await Promise.all(
    started.map(async ({ at, token }) => {
      const done = await waitFor(
        () => {
          const r = fake.interactionResponses(token);
          const last = r.at(-1);
          return last && !(last.kind === 'callback' && last.type === 5) ? r : null;
        },
        FINAL_WAIT_MS,
        { intervalMs: 5 },
      ).catch(() => null);
      // The first answer counts even when the final one did not come (a deferral is an answer).
      const r = done ?? fake.interactionResponses(token);
      if (r.length === 0) {
        missed++;
        return;
      }
      first.push(r[0]!.at - at);
      if (done) final.push(done.at(-1)!.at - at);
      else noFinal++;
    }),
  );
  return { first, final, missed, noFinal };
}

export async function run(): Promise<Record<string, number | string>> {
  const { core, stats } = await buildCorpus();
  const fake = await startFakeDiscord();
  fake.addGuild({
    id: GUILD,
    name: 'bench',
    preferredLocale: 'zh-CN',
    channels: [{ id: CHANNEL, name: 'news', type: 0 }],
  });
  const prefix = `bench-discord-${Date.now()}`;
  const config = benchConfig(stats.dbName, {
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: `${fake.url}/api`,
    QUEUE_PREFIX: prefix,
  });
  const adapter = createDiscordAdapter({ config, core: { ...core.core, config } });
  try {
    await adapter.start();
    await burst(fake); // warm-up: script converters, journal, caches
    const { first, final, missed, noFinal } = await burst(fake);
    return {
      articles: stats.articles,
      concurrent: CONCURRENT,
      first_response_p50_ms: round(percentile(first, 50)),
      first_response_p99_ms: round(percentile(first, 99)),
      final_answer_p50_ms: round(percentile(final, 50)),
      final_answer_p99_ms: round(percentile(final, 99)),
      unanswered: missed,
      no_final_answer_in_60s: noFinal,
      over_3s: first.filter((ms) => ms >= 3000).length,
    };
  } finally {
    await adapter.stop();
    await fake.close();
    await core.db.drop().catch(() => {});
    await core.core.close();
    await deleteQueueKeys(prefix);
  }
}
