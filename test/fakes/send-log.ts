/**
 * The accepted sends of the last minute, for a fake platform's sliding-window rate limits. Sends
 * arrive in time order, so the log is pruned from its front and a window is found by binary
 * search: a check costs O(log n) however many sends the minute holds (filtering the whole log on
 * every send cost the fan-out benchmark's fake most of a core at 1,000 sends a second, on the
 * cores the workers it measures run on).
 */
export class SendLog {
  private times: number[] = [];
  private head = 0;
  private added = 0;
  private readonly byChat = new Map<string, number[]>();

  constructor(private readonly keepMs = 60_000) {}

  /** Record a send to `chat` at `at` (ms). */
  add(at: number, chat: string): void {
    this.prune(at);
    this.times.push(at);
    const list = this.byChat.get(chat);
    if (list) {
      list.splice(0, firstAfter(list, 0, at - this.keepMs));
      list.push(at);
    } else this.byChat.set(chat, [at]);
    // A chat that stopped sending is dropped once its newest send left the log: a walk of the
    // map every few thousand sends.
    if (++this.added % 4096 === 0) {
      for (const [key, sends] of this.byChat)
        if (sends[sends.length - 1]! <= at - this.keepMs) this.byChat.delete(key);
    }
  }

  /**
   * When `limit` sends in `windowMs` before `now` are reached (of every chat, or of `chat`): the
   * time of the send whose leaving the window frees a place; null while a send is allowed.
   */
  blockedUntil(now: number, limit: number, windowMs: number, chat?: string): number | null {
    this.prune(now);
    let list = this.times;
    let from = this.head;
    if (chat !== undefined) {
      list = this.byChat.get(chat) ?? [];
      from = 0;
    }
    const first = firstAfter(list, from, now - windowMs);
    if (list.length - first < limit || limit <= 0) return null;
    return list[list.length - limit]! + windowMs;
  }

  /** Sends kept (the last `keepMs` of every chat's). */
  get size(): number {
    return this.times.length - this.head;
  }

  clear(): void {
    this.times = [];
    this.head = 0;
    this.added = 0;
    this.byChat.clear();
  }

  private prune(now: number): void {
    this.head = firstAfter(this.times, this.head, now - this.keepMs);
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/** The first index at or after `from` whose time is later than `t` (`list` sorted ascending). */
function firstAfter(list: readonly number[], from: number, t: number): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
