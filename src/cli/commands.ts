import { readFile } from 'node:fs/promises';
import { parseDuration } from '../config/config.ts';
import type { Core } from '../core.ts';
import type { Script } from '../domain/types.ts';
import { describeError, NewsrelayError } from '../errors.ts';
import { ingestSources } from '../sources/ingest-all.ts';
import { parseOpml, toOpml } from '../sources/opml.ts';
import { guessRegion, parseRegion, REGIONS, regionOf } from '../sources/source-region.ts';
import { printJson, progress, say } from './output.ts';

function durationSec(text: string, what: string): number {
  const ms = parseDuration(text);
  if (ms === null)
    throw new NewsrelayError('bad_input', `${what} "${text}" is not a duration like 10m, 2h or 1d`);
  return Math.round(ms / 1000);
}

/** `sources add <url>` */
export async function sourcesAdd(
  core: Core,
  url: string,
  opts: { name?: string; every?: string; json?: boolean },
) {
  const added = await core.sources.add(url, {
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.every ? { intervalSec: durationSec(opts.every, '--every') } : {}),
  });
  if (opts.json)
    return printJson({ ...added.source, existed: added.existed, firstIngest: added.firstIngest });
  if (added.existed)
    return say(`Already a source: ${added.source.name} (${added.source.id}) ${added.source.url}`);
  say(`Added ${added.source.kind} source ${added.source.name} (${added.source.id}) ${added.source.url}`);
  if (added.firstIngest) say(`Stored ${added.firstIngest.new} articles.`);
  for (const w of added.firstIngest?.warnings ?? []) say(`  warning: ${w}`);
}

/** `sources list` */
export async function sourcesList(core: Core, opts: { json?: boolean }) {
  const list = await core.sources.list();
  if (opts.json) return printJson(list);
  if (list.length === 0) return say('No sources yet. Add one with: newsrelay sources add <url>');
  for (const s of list) {
    const health = s.health.disabledAt
      ? `disabled: ${s.health.disabledReason}`
      : s.health.failures > 0
        ? `failing (${s.health.failures}): ${s.health.lastError}`
        : s.health.lastSuccessAt
          ? `ok, last ${s.health.lastSuccessAt.toISOString()}${s.health.lastWarning ? `; warning: ${s.health.lastWarning}` : ''}`
          : 'not fetched yet';
    process.stdout.write(
      `${s.id}  ${s.kind.padEnd(4)}  every ${Math.round(s.intervalSec / 60)}m  ${s.name}  ${s.url}  [${health}]${s.public ? '  public' : ''}\n`,
    );
  }
}

/** `sources public <id|url> on|off`: list a source in every chat's /sources, or only where it is followed. */
export async function sourcesPublic(core: Core, ref: string, state: string) {
  const on = /^(on|true|yes|1)$/i.test(state);
  if (!on && !/^(off|false|no|0)$/i.test(state))
    throw new NewsrelayError('bad_input', `The state must be on or off, not "${state}"`);
  const source = await core.sources.find(ref);
  if (!source) throw new NewsrelayError('not_found', `No source matches "${ref}"`);
  await core.sources.setPublic(source.id, on);
  const listed = core.config.PUBLIC_SOURCES.includes(source.url);
  say(
    on
      ? `${source.name} (${source.id}) is public: every chat's /sources lists it.`
      : `${source.name} (${source.id}) is private: only the chats that follow it see it${listed ? ' (but PUBLIC_SOURCES still lists its URL)' : ''}.`,
  );
}

/**
 * `sources region <id|url|name> [mainland|hk|tw|overseas|auto]`: set the region `/story` tags the
 * source with (`auto`: guess it from the URL again), or show it when no region is given.
 */
export async function sourcesRegion(
  core: Core,
  ref: string,
  value: string | undefined,
  opts: { json?: boolean },
) {
  let source = await core.sources.find(ref);
  if (!source) throw new NewsrelayError('not_found', `No source matches "${ref}"`);
  if (value !== undefined) {
    const auto = value.trim().toLowerCase() === 'auto';
    const region = auto ? null : parseRegion(value);
    if (!auto && region === null)
      throw new NewsrelayError('bad_input', `The region must be one of ${REGIONS.join(', ')} or auto`);
    source = await core.sources.setRegion(source.id, region);
  }
  const region = regionOf(source);
  const how = source.region ? 'set' : 'guessed';
  if (opts.json)
    return printJson({ id: source.id, url: source.url, region, how, guess: guessRegion(source.url) });
  say(`${source.name} (${source.id}): ${region} (${how})`);
}

/** `sources import <file.opml>`: every feed is validated like `sources add`; failures are listed, nothing else changes. */
export async function sourcesImport(core: Core, file: string, opts: { json?: boolean }) {
  let xml: string;
  try {
    xml = await readFile(file, 'utf8');
  } catch {
    throw new NewsrelayError('bad_input', `Cannot read ${file}`);
  }
  const feeds = parseOpml(xml);
  const tick = progress('importing');
  const results: Array<{ url: string; status: 'added' | 'existed' | 'failed'; error?: string }> = [];
  let next = 0;
  const run = async () => {
    while (next < feeds.length) {
      const f = feeds[next++]!;
      try {
        const r = await core.sources.add(f.url, f.title ? { name: f.title } : {});
        results.push({ url: f.url, status: r.existed ? 'existed' : 'added' });
      } catch (err) {
        results.push({ url: f.url, status: 'failed', error: describeError(err) });
      }
      tick(results.length, feeds.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, feeds.length) }, run));
  const count = (s: string) => results.filter((r) => r.status === s).length;
  if (opts.json)
    return printJson({
      feeds: feeds.length,
      added: count('added'),
      existed: count('existed'),
      failed: count('failed'),
      results,
    });
  say(
    `Imported ${feeds.length} feeds: ${count('added')} added, ${count('existed')} already known, ${count('failed')} failed.`,
  );
  for (const r of results.filter((x) => x.status === 'failed')) say(`  failed: ${r.url}: ${r.error}`);
}

/** `sources export`: OPML 2.0 on stdout. */
export async function sourcesExport(core: Core) {
  const list = await core.sources.list();
  process.stdout.write(
    toOpml(
      'newsrelay sources',
      list.map((s) => ({ url: s.url, title: s.name })),
    ),
  );
}

/** `ingest [--source S]` */
export async function ingest(core: Core, opts: { source?: string; json?: boolean }) {
  let list = await core.sources.list();
  if (opts.source) {
    const s = await core.sources.find(opts.source);
    if (!s) throw new NewsrelayError('not_found', `No source matches "${opts.source}"`);
    list = [s];
  }
  const summary = await ingestSources(core, list, {
    concurrency: core.config.FETCH_CONCURRENCY,
    onProgress: progress('fetching'),
  });
  const { outcomes, ...totals } = summary;
  if (opts.json) return printJson(totals);
  say(
    `${totals.sources} sources: ${totals.fetched} items fetched, ${totals.new} new, ${totals.duplicates} duplicates, ${totals.failed} failed.`,
  );
  for (const o of outcomes.filter((x) => x.status === 'failed')) say(`  failed: ${o.sourceId}: ${o.error}`);
  for (const o of outcomes.filter((x) => x.warnings !== undefined))
    say(`  warning: ${o.sourceId}: ${o.warnings?.join('; ')}`);
}

const SCRIPTS = new Set<Script>(['original', 'hans', 'hant', 'hant-hk', 'hant-tw']);

/** `headlines [--query Q] [--source S] [--since 24h] [--limit N] [--script …]` */
export async function headlines(
  core: Core,
  opts: { query?: string; source?: string; since?: string; limit?: string; script?: string; json?: boolean },
) {
  const limit = opts.limit === undefined ? 20 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new NewsrelayError('bad_input', '--limit must be a whole number from 1 to 100');
  const script = (opts.script ?? 'original') as Script;
  if (!SCRIPTS.has(script)) throw new NewsrelayError('bad_input', '--script must be original, hans or hant');
  const sinceMs = opts.since ? durationSec(opts.since, '--since') * 1000 : undefined;
  const page = await core.headlines.query({
    ...(opts.query !== undefined ? { query: opts.query } : {}),
    ...(opts.source ? { source: opts.source } : {}),
    ...(sinceMs ? { sinceMs } : {}),
    limit,
    script,
  });
  if (opts.json) {
    return printJson(
      page.items.map((h) => ({
        id: h.id,
        title: h.title,
        url: h.url,
        source: h.source,
        sourceId: h.sourceId,
        publishedAt: h.publishedAt.toISOString(),
        alsoReportedBy: h.alsoReportedBy,
      })),
    );
  }
  if (page.items.length === 0)
    return say(opts.query ? `Nothing matches "${opts.query}".` : 'No headlines yet.');
  for (const h of page.items) {
    const also = h.alsoReportedBy.length ? ` (also: ${h.alsoReportedBy.join(', ')})` : '';
    process.stdout.write(
      `${h.publishedAt.toISOString().slice(0, 16).replace('T', ' ')}  [${h.source}]  ${h.title}${also}\n    ${h.url}\n`,
    );
  }
}
