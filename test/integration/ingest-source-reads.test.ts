/**
 * What an ingest reads of the sources collection (found running the worker role of the poll
 * benchmark, issue 11):
 * - every fetch that stored a new article listed every source, seen keys included, to name its
 *   instant items, even when no chat took instant items, and concurrent fetches each listed them
 *   again: at 10,000 sources a worker role's poll cycle took 202 s and 1.2 GB. Names are now read
 *   only for the sources a message shows, by id, and only when a chat takes the items;
 * - every fetch read the source's seen keys (up to 1,000), though most fetches get a 304 and
 *   need none: they are now read only for a new document.
 */
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryJobRef } from '../../src/delivery/platform-sender.ts';
import type { Source } from '../../src/domain/types.ts';
import { type NewsSite, startNewsSite } from '../fakes/news-site.ts';
import { commandsDuring, createMonitoredCore } from '../helpers/command-monitor.ts';
import { hoursAgo, rss } from '../helpers/feeds.ts';
import { recordingQueue, type TestCore } from '../helpers/test-core.ts';

const OTHER_SOURCES = 30;

let x: TestCore;
let site: NewsSite;
const queued: DeliveryJobRef[] = [];

beforeAll(async () => {
  x = await createMonitoredCore({
    deliveryQueue: recordingQueue(queued),
  });
  site = await startNewsSite();
  for (let i = 0; i < OTHER_SOURCES; i++) {
    await x.stores.sources.add({
      url: `https://other${i}.example.cn/rss.xml`,
      name: `其他${i}`,
      kind: 'rss',
      intervalSec: 600,
    });
  }
});
afterAll(async () => {
  await site?.close();
  await x?.cleanup();
});

function sourceFindCommands(commands: CommandStartedEvent[]): CommandStartedEvent[] {
  return commands.filter((c) => c.commandName === 'find' && c.command.find === 'sources');
}

/** The `find` commands on the sources collection, with their filters. */
function sourceFinds(commands: CommandStartedEvent[]): Array<Record<string, unknown>> {
  return sourceFindCommands(commands).map((c) => c.command.filter as Record<string, unknown>);
}

/** The projections of the `find` commands on the sources collection (`{}` for none). */
function sourceProjections(commands: CommandStartedEvent[]): Array<Record<string, unknown>> {
  return sourceFindCommands(commands).map((c) => (c.command.projection ?? {}) as Record<string, unknown>);
}

function serve(path: string, name: string, titles: string[]): void {
  site.route(path, {
    body: rss(
      name,
      titles.map((title, i) => ({
        title,
        link: `${site.url}${path}/${encodeURIComponent(title)}`,
        pubDate: hoursAgo(i),
      })),
    ),
    contentType: 'application/rss+xml',
  });
}

/**
 * A source serving `titles` at `path`, added as the operator's catalogue is (stored, not fetched):
 * nothing of it was read before the test's first fetch.
 */
function catalogueSource(path: string, name: string, titles: string[]): Promise<Source> {
  serve(path, name, titles);
  return x.stores.sources.add({ url: `${site.url}${path}`, name, kind: 'rss', intervalSec: 600 });
}

describe('seen keys read by a fetch', () => {
  it('a 304 reads the source without its seen keys; a new document reads them once, and old items stay out', async () => {
    const items = ['东莞制造业订单回暖', '佛山陶瓷展开幕'];
    const source = await catalogueSource('/seen.xml', '莞佛台', items);
    const first = await commandsDuring(x, async () => {
      expect((await x.core.ingest.fetchById(source.id)).new).toBe(2);
    });
    // The document was new: seen keys read once, by themselves.
    expect(sourceProjections(first)).toEqual([{ seen: 0 }, { seen: 1 }]);
    expect((await x.stores.sources.get(source.id))?.seen).toHaveLength(2);

    site.route('/seen.xml', { status: 304 });
    const unchanged = await commandsDuring(x, async () => {
      expect((await x.core.ingest.fetchById(source.id)).status).toBe('not_modified');
    });
    expect(sourceProjections(unchanged)).toEqual([{ seen: 0 }]);

    // Served again in full (no validators kept by the site): the seen keys keep the old items out.
    serve('/seen.xml', '莞佛台', [...items, '中山灯饰出口创新高']);
    const outcome = await x.core.ingest.fetchById(source.id);
    expect({ fetched: outcome.fetched, new: outcome.new, duplicates: outcome.duplicates }).toEqual({
      fetched: 3,
      new: 1,
      duplicates: 2,
    });
  });
});

describe('source names read by an ingest', () => {
  it('a fetch with new articles and no instant subscriber reads no source but its own', async () => {
    // No first fetch, so no name was read before.
    const source = await catalogueSource('/plain.xml', '普通台', ['港铁新线通车', '深圳湾口岸延长通关']);
    const commands = await commandsDuring(x, async () => {
      const outcome = await x.core.ingest.fetchById(source.id);
      expect(outcome.new).toBe(2);
    });
    // Its own document (and its seen keys), by id; nothing else of the sources collection.
    expect(sourceFinds(commands)).toEqual([{ _id: source.id }, { _id: source.id }]);
  });

  it('instant items read the names of the sources they show, by id, and carry them', async () => {
    serve('/fast.xml', '快讯台', ['大湾区航运指数发布']);
    const { source } = await x.core.sources.add(`${site.url}/fast.xml`);
    await x.core.chats.ensure({
      platform: 'telegram',
      chatId: '501',
      type: 'private',
      locale: 'zh-Hans',
      timezone: 'Asia/Shanghai',
    });
    await x.core.chats.subscribe('telegram:501', { sourceId: source.id }, { instant: true });
    serve('/fast.xml', '快讯台', ['大湾区航运指数发布', '南沙港新航线开通']);
    queued.length = 0;
    const commands = await commandsDuring(x, async () => {
      expect((await x.core.ingest.fetchById(source.id)).new).toBe(1);
    });
    const finds = sourceFinds(commands);
    expect(finds).toContainEqual({ _id: source.id });
    for (const filter of finds) expect(JSON.stringify(filter)).toContain(source.id);
    expect(queued).toHaveLength(1);
    const message = await x.stores.deliveries.get(queued[0]!.deliveryId);
    expect(JSON.stringify(message?.message)).toContain('快讯台');
    expect(JSON.stringify(message?.message)).toContain('南沙港新航线开通');
  });

  it('names asked for again within seconds are not read again; a new one alone is read', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await x.stores.sources.add({
        url: `https://named${i}.example.cn/rss.xml`,
        name: `命名${i}`,
        kind: 'rss',
        intervalSec: 600,
      });
      ids.push(s.id);
    }
    await x.core.headlines.sourceNames(ids.slice(0, 3));
    const again = await commandsDuring(x, async () => {
      const names = await x.core.headlines.sourceNames(ids.slice(0, 3));
      expect([...ids.slice(0, 3)].every((id) => names.has(id))).toBe(true);
    });
    expect(sourceFinds(again)).toEqual([]);
    const fourth = (await x.core.sources.get(ids[3]!))?.name;
    const more = await commandsDuring(x, async () => {
      const names = await x.core.headlines.sourceNames(ids.slice(0, 4));
      expect(names.get(ids[3]!)).toBe(fourth);
    });
    expect(sourceFinds(more)).toHaveLength(1);
    expect(JSON.stringify(sourceFinds(more)[0])).toContain(ids[3]!);
    expect(JSON.stringify(sourceFinds(more)[0])).not.toContain(ids[0]!);
  });
});
