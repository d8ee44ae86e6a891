import { defineConfig } from 'vitest/config';
import { SummaryLineReporter } from './test/support/summary-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'local/test/**/*.test.ts', 'load/test/**/*.test.ts'],
    reporters: ['default', new SummaryLineReporter()],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites that start the local stack bind real ports; run files one at a time on 2 cores.
    fileParallelism: false,
    // Library code logging in-process (unit tests) stays quiet; functions under the local stack still log.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
