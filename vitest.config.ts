import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start HTTP servers and child processes; two cores, so two workers.
    maxWorkers: 2,
  },
});
