import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e files share one FerretDB and one Redis: each file uses its own
    // database and queue prefix, but two cores run out of headroom with many files at once.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
