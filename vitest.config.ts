import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Files and the tests in each file run in a random order, so a test that leans on an earlier
    // one fails here rather than after a reshuffle. Vitest prints the seed ("Running tests with
    // seed ..."); `npx vitest run --sequence.seed=<seed>` replays that order.
    sequence: { shuffle: true },
  },
});
