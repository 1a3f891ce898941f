/**
 * Polls `predicate` until it returns a truthy value (or a promise of one) and resolves with that value.
 * Rejects after `timeoutMs` with `message` (or a generic one), including the last error the predicate threw.
 */
export async function waitFor<T>(
  predicate: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 5_000,
  opts: { intervalMs?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const interval = opts.intervalMs ?? 10;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${opts.message ?? `waitFor: condition not met within ${timeoutMs} ms`}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
