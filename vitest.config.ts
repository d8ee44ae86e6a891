import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites that start the local stack bind real ports; run files one at a time on 2 cores.
    fileParallelism: false,
  },
});
