/**
 * The feeds of the poll benchmark, generated in a process of their own: the generator renders
 * Traditional headlines with the script converters, whose dictionaries (≈ 40 MB of heap) would
 * otherwise count in the memory of the process whose poll cycle is measured.
 * Run as `node --import tsx bench/lib/poll-plan.ts <sources> <changedEvery>`: prints the plan as JSON.
 */
import { buildArticle } from '../../src/ingest/article-builder.ts';
import { entry, rng, rssText } from './gen.ts';

/** What the feed server serves and what the sources have seen. */
export interface FeedPlan {
  /** Feed text served by changed source k (index n / changedEvery). */
  changed: string[];
  /** Seen keys of the two old items, per changed source. */
  seen: string[][];
}

function planFeeds(sources: number, changedEvery: number): FeedPlan {
  const r = rng(99);
  const changed: string[] = [];
  const seen: string[][] = [];
  const now = new Date();
  for (let n = 0; n < sources; n += changedEvery) {
    const url = `https://site${n}.example.cn/`;
    const old = [entry(r, n, 1), entry(r, n, 2)];
    const fresh = entry(r, n, 3);
    changed.push(rssText(`新闻源${n}`, url, [fresh, ...old], 'utf-8'));
    seen.push(old.map((e) => buildArticle(e, 'x', url, now)!.seenKey));
  }
  return { changed, seen };
}

process.stdout.write(JSON.stringify(planFeeds(Number(process.argv[2]), Number(process.argv[3]))));
