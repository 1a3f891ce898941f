/** PARSE_THREADS: how many threads read fetched documents in a process (each costs about 60 MB). */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createTestCore } from '../helpers/test-core.ts';

describe('PARSE_THREADS', () => {
  it('sets the parse threads of a process; unset, the main thread keeps a core for itself', async () => {
    const set = await createTestCore({ PARSE_THREADS: '3' });
    const unset = await createTestCore();
    try {
      expect(set.parser.threads).toBe(3);
      expect(unset.parser.threads).toBe(Math.max(1, Math.min(availableParallelism() - 1, 4)));
    } finally {
      await set.cleanup();
      await unset.cleanup();
    }
  });

  it('refuses a count that is not a positive whole number, naming the variable', async () => {
    await expect(createTestCore({ PARSE_THREADS: '0' })).rejects.toThrow(/PARSE_THREADS/);
  });
});
