/**
 * Per-chat lanes for update handling: work for one chat runs in arrival order, different chats run
 * concurrently, and the caller (telegraf's update loop) never waits. Telegraf awaits each batch of
 * updates before it polls again, so one slow handler (a feed probe of 15 s) would otherwise hold
 * every other chat's commands.
 */
export class UpdateLanes {
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Queue `work` behind the chat's earlier work; returns at once. */
  run(lane: string, work: () => Promise<void>): void {
    const previous = this.lanes.get(lane) ?? Promise.resolve();
    const next = previous.then(work).catch(this.onError);
    this.lanes.set(lane, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (this.lanes.get(lane) === next) this.lanes.delete(lane);
    });
  }

  /** Work queued or running. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Wait for queued work to finish, at most `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
