/**
 * A burst of 200 slash commands at once, through the real discord.js client and the fake Discord,
 * each query costing the synchronous CPU a 100,000-article index does (about 55 ms in
 * bench/discord-interactions.ts; 20 ms here, 4 s of CPU for the burst): every interaction must be acknowledged inside
 * Discord's 3-second window (the fake rejects a late callback with 10062) and answered after.
 * Before the router admitted work in bounded slots and deferred queued interactions before
 * starting their work, all 200 queries ran at once and every deferral reached Discord late.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.ts';
import { waitFor } from '../fakes/wait-for.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { type DiscordStack, startDiscordStack } from './discord-harness.ts';

const GUILD = '920000000000000001';
const NEWS = '920000000000000010';
const BURST = 200;
/** Synchronous CPU per query, as a large in-memory index costs. */
const QUERY_CPU_MS = 20;

let d: DiscordStack;

function burnCpu(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: the event loop is held, as by a search over a large index
  }
}

/** The core with every headlines query made CPU-heavy (after its I/O, as the index search is). */
function heavyCore(core: Core): Core {
  const real = core.headlines;
  const headlines = Object.create(real) as Core['headlines'];
  headlines.query = async (q) => {
    const page = await real.query(q);
    burnCpu(QUERY_CPU_MS);
    return page;
  };
  return { ...core, headlines };
}

beforeAll(async () => {
  d = await startDiscordStack({
    guild: {
      id: GUILD,
      name: '突发测试',
      preferredLocale: 'zh-CN',
      channels: [{ id: NEWS, name: 'news', type: 0 }],
    },
    channelId: NEWS,
    locale: 'zh-CN',
    feeds: [
      {
        path: '/sh.xml',
        body: rss(
          '上海日报',
          Array.from({ length: 12 }, (_, n) => ({
            title: `上海新闻第${n + 1}条：地铁线路调整`,
            link: `https://sh.example.cn/${n + 1}.htm`,
            pubDate: hoursAgo(n + 1),
          })),
        ),
      },
    ],
    core: heavyCore,
  });
});

afterAll(async () => {
  await d?.close();
});

describe('Discord interaction bursts', () => {
  it(`acknowledges ${BURST} concurrent /headlines and /search inside the window and answers them all`, async () => {
    const tokens = Array.from({ length: BURST }, (_, n) => {
      const search = n % 2 === 1;
      return d.fake.interact({
        type: 2,
        name: search ? 'search' : 'headlines',
        guildId: GUILD,
        channelId: NEWS,
        locale: 'zh-CN',
        options: search
          ? [{ name: 'query', type: 3, value: '上海' }]
          : [{ name: 'limit', type: 4, value: 5 }],
      }).token;
    });
    const finals = await Promise.all(
      tokens.map((token) =>
        waitFor(
          () => {
            const all = d.fake.interactionResponses(token);
            const last = all.at(-1);
            return last && !(last.kind === 'callback' && last.type === 5) ? all : null;
          },
          60_000,
          { intervalMs: 20 },
        ).catch(() => d.fake.interactionResponses(token)),
      ),
    );
    const late = d.fake
      .restTo('POST', /^\/interactions\/[^/]+\/[^/]+\/callback$/)
      .filter((r) => r.status === 404);
    expect(late).toHaveLength(0);
    const unanswered = finals.filter((all) => all.length === 0 || all[0]?.kind !== 'callback');
    expect(unanswered).toHaveLength(0);
    for (const all of finals) {
      const last = all.at(-1);
      expect(last && (last.kind === 'edit' || (last.kind === 'callback' && last.type === 4))).toBe(true);
      expect(String(last?.data?.content ?? '')).not.toBe('');
    }
  }, 90_000);
});
