import type { ChatService, DigestMark } from '../chats/chat-service.ts';
import { type DeliveryQueuePort, freshJob } from '../delivery/platform-sender.ts';
import type { Article, Chat } from '../domain/types.ts';
import type { ArticleStore } from '../store/article-store.ts';
import {
  type DeliveryStore,
  deliveryIdOf,
  type PackedDelivery,
  packMessage,
} from '../store/delivery-store.ts';
import type { SearchJournal } from '../store/search-journal.ts';
import { articleFilterText, passesFilters } from '../text/filter-match.ts';
import { convertScript } from '../text/script-converter.ts';
import { composeDigest, composeInstant } from './digest-composer.ts';
import { type SelectedDigest, SelectionLookups, selectDigest } from './digest-selector.ts';
import { itemExtras, itemFormatOf } from './item-format.ts';

/**
 * How far apart the clocks of processes sharing a database may be, twice over: a group's one
 * write marks only chats saved this long before its run began, since a chat saved into the group
 * after the scan read it, by a process whose clock is behind, carries an earlier time.
 */
export const SAVE_CLOCK_MARGIN_MS = 60_000;

/** Collaborators of {@link DigestService}. */
export interface DigestServiceDeps {
  chats: Pick<
    ChatService,
    'get' | 'getMany' | 'markDigests' | 'instantChats' | 'digestGroupScan' | 'markDigestGroup'
  >;
  deliveries: DeliveryStore;
  journal: SearchJournal;
  articles: ArticleStore;
  /** Source names by id; `needed` ids are read fresh when a cached map lacks them. */
  sourceNames: (needed: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  /** Enqueues deliveries; null in processes without queues (then nothing is built). */
  queue: DeliveryQueuePort | null;
  /** How far back a chat's first digest looks (ms). */
  firstLookbackMs: number;
  /** Most items per digest. */
  cap?: number;
  /** Chats built per round of writes in {@link DigestService.runGroup} (default 250). */
  batchSize?: number;
}

/** Outcome of building a digest. */
export type DigestOutcome = 'queued' | 'empty' | 'skipped' | 'no_subscriptions';

/** How many chats of a group got each outcome. */
export type DigestTally = Record<DigestOutcome, number>;

/**
 * A group run: the journal position its digests cover up to, the index look-ups its chats share,
 * and its built chats' marks.
 */
interface GroupRun {
  cursor: number;
  lookups: SelectionLookups;
  marks: DigestMark[];
}

/**
 * Builds digests and records them as deliveries, many chats at a time: one insert of deliveries
 * and one enqueue per batch of chats, whatever its size; a scheduled group refreshes the journal
 * once and marks its chats in one write at the end (decision 0016). Recording is idempotent per
 * (chat, digest key): a scheduled slot built twice (a retried group job, a catch-up racing the
 * scheduler) records one delivery, and the delivery queue finishes whatever was recorded.
 */
export class DigestService {
  constructor(private readonly deps: DigestServiceDeps) {}

  /**
   * The digest messages `chat` would get now (one per forum topic it posts into), and the journal
   * number they cover up to (the chat's next cursor).
   */
  async select(chat: Chat, now = Date.now()): Promise<{ selected: SelectedDigest[]; cursor: number }> {
    await this.deps.journal.refresh();
    const cursor = this.deps.journal.readPosition;
    return { selected: await this.selectUpTo(chat, cursor, now), cursor };
  }

  /** The scheduled digest of `slot` (epoch ms) for one chat (a catch-up); an empty one sends nothing. */
  async runScheduled(chatKey: string, slot: number, now = Date.now()): Promise<DigestOutcome> {
    const chat = await this.deps.chats.get(chatKey);
    if (!chat) return 'skipped';
    return (await this.runBatch([chat], slot, now)).get(chat.key) ?? 'skipped';
  }

  /**
   * The scheduled digests of `slot` for every active chat with a digest at `time` in `timezone`
   * (the job a scheduled minute fires), built in batches against one journal position. The
   * group's chats are marked at the end in one write for the whole group (decision 0016): on
   * FerretDB one `updateOne` per chat was the largest cost of building. The group's scan streams:
   * its first batches are built while the database reads the rest. The write marks only chats
   * saved before the run began, less {@link SAVE_CLOCK_MARGIN_MS}: a chat that joined the group
   * meanwhile and was not read is left for its own catch-up, even when the process that saved it
   * has a clock behind this one's. Built chats saved within the margin are marked one by one; when
   * the write marks fewer chats than the scan counted (a chat read and built was saved
   * meanwhile), every built chat is marked one by one as before.
   */
  async runGroup(time: string, timezone: string, slot: number, now = Date.now()): Promise<DigestTally> {
    if (!this.deps.queue) return emptyTally();
    const settledBy = new Date(Date.now() - SAVE_CLOCK_MARGIN_MS);
    await this.deps.journal.refresh();
    const run: GroupRun = {
      cursor: this.deps.journal.readPosition,
      lookups: new SelectionLookups(this.deps.journal.index),
      marks: [],
    };
    let settled = 0;
    const recent = new Set<string>();
    const batches = mapBatches(this.deps.chats.digestGroupScan(time, timezone, this.batchSize), (scanned) => {
      for (const c of scanned) {
        if (c.paused || (c.lastDigestSlot !== null && c.lastDigestSlot >= slot)) continue;
        if (c.savedAt <= settledBy) settled++;
        else recent.add(c.key);
      }
      return scanned.filter((c) => c.subscriptions.length > 0);
    });
    const tally = await this.buildAll(batches, slot, now, run);
    const marked =
      settled === 0
        ? 0
        : await this.deps.chats.markDigestGroup({
            time,
            timezone,
            slot,
            at: new Date(now),
            cursor: run.cursor,
            unchangedSince: settledBy,
          });
    await this.deps.chats.markDigests(
      marked === settled ? run.marks.filter((m) => recent.has(m.key)) : run.marks,
    );
    return tally;
  }

  /** Build `slot`'s digests for these chats (or manual ones when `slot` is null), in batches. */
  runChats(chats: readonly Chat[], slot: number | null, now = Date.now()): Promise<DigestTally> {
    return this.buildAll(slices(chats, this.batchSize), slot, now);
  }

  private get batchSize(): number {
    return this.deps.batchSize ?? 250;
  }

  private async buildAll(
    batches: AsyncIterator<readonly Chat[]>,
    slot: number | null,
    now: number,
    run?: GroupRun,
  ): Promise<DigestTally> {
    const tally = emptyTally();
    // Two batches in flight: one selects (CPU here) while the other's writes wait on the database.
    const lane = async () => {
      for (let next = await batches.next(); !next.done; next = await batches.next()) {
        for (const outcome of (await this.runBatch(next.value, slot, now, run)).values()) tally[outcome]++;
      }
    };
    try {
      await Promise.all([lane(), lane()]);
    } finally {
      // A failed batch ends the run: close the scan (its cursor holds the database's snapshot).
      await batches.return?.();
    }
    return tally;
  }

  /** A digest on request (/digest): 'empty' when nothing is new. */
  async runNow(chatKey: string, now = Date.now()): Promise<DigestOutcome> {
    const chat = await this.deps.chats.get(chatKey);
    if (!chat) return 'skipped';
    if (chat.subscriptions.length === 0) return 'no_subscriptions';
    return (await this.runBatch([chat], null, now)).get(chat.key) ?? 'skipped';
  }

  private selectUpTo(
    chat: Chat,
    cursor: number,
    now: number,
    lookups?: SelectionLookups,
  ): Promise<SelectedDigest[]> {
    const since = chat.lastDigestAt ? chat.lastDigestAt.getTime() : now - this.deps.firstLookbackMs;
    return selectDigest(
      {
        index: lookups ?? this.deps.journal.index,
        articles: this.deps.articles,
        sourceNames: this.deps.sourceNames,
      },
      chat,
      { sinceMs: since, afterSeq: chat.lastDigestSeq, upToSeq: cursor },
      this.deps.cap === undefined ? {} : { cap: this.deps.cap },
    );
  }

  /**
   * One batch: select each chat's digest in memory, then record every delivery in one insert,
   * enqueue every job at once and mark the chats — in that order. A crash before the marks
   * leaves chats the retried job builds again: the same deliveries (recorded, so not fresh) under
   * the same job ids, nothing sent twice. Marking first would let a crash before the enqueue
   * leave marked chats whose recorded digests wait for the 10-minute sweep. In a group `run` the
   * built chats' marks are kept for the run to write at its end, against the run's cursor.
   */
  private async runBatch(
    chats: readonly Chat[],
    slot: number | null,
    now: number,
    run?: GroupRun,
  ): Promise<Map<string, DigestOutcome>> {
    const out = new Map<string, DigestOutcome>();
    const queue = this.deps.queue;
    if (!queue) return out;
    const digestKey = slot === null ? `now-${now}` : `slot-${slot}`;
    const marks: DigestMark[] = [];
    const due: Chat[] = [];
    for (const chat of chats) {
      if (slot !== null && (!chat.active || (chat.lastDigestSlot !== null && chat.lastDigestSlot >= slot))) {
        out.set(chat.key, 'skipped');
      } else if (slot !== null && chat.paused) {
        marks.push({ key: chat.key, slot, at: chat.lastDigestAt ?? new Date(now) });
        out.set(chat.key, 'skipped');
      } else due.push(chat);
    }
    if (due.length > 0 && !run) await this.deps.journal.refresh();
    const cursor = run ? run.cursor : this.deps.journal.readPosition;
    const lookups =
      run?.lookups ?? (due.length > 0 ? new SelectionLookups(this.deps.journal.index) : undefined);
    const records: PackedDelivery[] = [];
    const targets: Chat[] = [];
    for (const chat of due) {
      const selected = await this.selectUpTo(chat, cursor, now, lookups);
      (run ? run.marks : marks).push({ key: chat.key, slot, at: new Date(now), cursor });
      out.set(chat.key, selected.length === 0 ? 'empty' : 'queued');
      for (const s of selected) {
        const key = s.threadId === null ? digestKey : `${digestKey}-t${s.threadId}`;
        const message = composeDigest(chat, s, slot ?? now);
        records.push({
          id: deliveryIdOf(chat.key, key),
          chatKey: chat.key,
          digestKey: key,
          message,
          packed: packMessage(message),
          createdAt: new Date(now),
        });
        targets.push(chat);
      }
    }
    const created = await this.deps.deliveries.createMany(records);
    // A digest built again (a retried job) finds its delivery recorded: its job is not fresh and
    // reads the recorded one (what was composed now may differ).
    await queue.enqueueMany(
      records.map((d, i) => {
        const chat = targets[i]!;
        return created.has(d.id)
          ? freshJob(d, chat)
          : { deliveryId: d.id, chatKey: chat.key, platform: chat.platform, part: 0, fresh: false };
      }),
    );
    await this.deps.chats.markDigests(marks);
    return out;
  }

  /**
   * Instant subscriptions: each new article goes at once to the chats subscribed to its source
   * with `instant` on and not muted (the chat's and the subscription's filters apply). The core
   * calls it after each fetch that stored articles.
   */
  async instant(articles: readonly Article[]): Promise<number> {
    const queue = this.deps.queue;
    if (!queue) return 0;
    const bySource = new Map<string, Article[]>();
    for (const a of articles) {
      const list = bySource.get(a.sourceId);
      if (list) list.push(a);
      else bySource.set(a.sourceId, [a]);
    }
    const readers = new Map<string, Chat[]>();
    for (const sourceId of bySource.keys()) {
      const chats = await this.deps.chats.getMany(await this.deps.chats.instantChats(sourceId));
      if (chats.length > 0) readers.set(sourceId, chats);
    }
    // Most new articles have no instant reader: their sources' names are not read at all.
    if (readers.size === 0) return 0;
    const names = await this.deps.sourceNames([...readers.keys()]);
    const records: PackedDelivery[] = [];
    const targets: Chat[] = [];
    for (const [sourceId, chats] of readers) {
      const list = bySource.get(sourceId)!;
      for (const chat of chats) {
        const sub = chat.subscriptions.find(
          (s) => s.kind === 'source' && s.sourceId === sourceId && s.instant && !s.muted,
        );
        if (!sub || !chat.active || chat.paused) continue;
        for (const a of list) {
          if (!passesFilters(articleFilterText(a), chat, sub)) continue;
          const sourceName = convertScript(sub.name ?? names.get(sourceId) ?? sourceId, chat.script);
          const item = {
            articleId: a.id,
            title: convertScript(a.title, chat.script),
            url: a.url,
            sourceName,
            publishedAt: a.publishedAt.toISOString(),
            alsoReportedBy: [],
            ...itemExtras(a, itemFormatOf(chat, sub), chat.script),
          };
          const digestKey = `instant-${a.id}`;
          const message = composeInstant(chat, {
            threadId: sub.threadId,
            groups: [{ sourceName, items: [item] }],
            count: 1,
          });
          records.push({
            id: deliveryIdOf(chat.key, digestKey),
            chatKey: chat.key,
            digestKey,
            message,
            packed: packMessage(message),
            createdAt: new Date(),
          });
          targets.push(chat);
        }
      }
    }
    // An article delivered before (a re-fetch racing another worker) is recorded once and sent once.
    const created = await this.deps.deliveries.createMany(records);
    const fresh = records.flatMap((d, i) => (created.has(d.id) ? [freshJob(d, targets[i]!)] : []));
    await queue.enqueueMany(fresh);
    return fresh.length;
  }
}

function emptyTally(): DigestTally {
  return { queued: 0, empty: 0, skipped: 0, no_subscriptions: 0 };
}

/** `chats` in batches of `size`. */
async function* slices(chats: readonly Chat[], size: number): AsyncGenerator<readonly Chat[]> {
  for (let i = 0; i < chats.length; i += size) yield chats.slice(i, i + size);
}

/** The batches of `source`, each through `f`. */
async function* mapBatches<T>(
  source: AsyncIterable<readonly T[]>,
  f: (batch: readonly T[]) => readonly Chat[],
): AsyncGenerator<readonly Chat[]> {
  for await (const batch of source) yield f(batch);
}
