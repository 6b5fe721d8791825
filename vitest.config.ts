import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Vitest takes one worker per core but one; on two cores that is a single file at a time.
    // Outside CI a run takes two at least; CI keeps the default, its fault suites loading the
    // machine themselves.
    ...(process.env.CI !== 'true' && { maxWorkers: Math.max(2, availableParallelism() - 1) }),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-broker.ts'],
          // Suites share one broker and a 2-core machine: one file at a time.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
