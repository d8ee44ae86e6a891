import { defineConfig } from 'vitest/config';
import { SummaryLineReporter } from './test/support/summary-reporter.js';

/**
 * Suites that start whole stacks (or `npm start`): each takes CPU for seconds and runs functions in a process
 * of its own, so they run one file at a time, after the rest. With them: the templates' (each packages the
 * service with serverless), and the suites that measure a pace (the throttle, the load client's runs), which a
 * neighbour on the other core would skew.
 */
const stackSuites = [
  ...['test/api', 'test/browser', 'test/course', 'test/docs', 'test/fuzz', 'test/deploy'].map(
    (folder) => `${folder}/**/*.test.ts`,
  ),
  'local/test/throttle.test.ts',
  'load/test/load-client.test.ts',
  'load/test/cli.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', new SummaryLineReporter()],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Library code logging in-process (unit tests) stays quiet; functions under the local stack still log.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // In process, on ports of their own picking: the emulators' and the load client's (in their
          // packages or under test/), the Data API domain's, the templates'.
          include: ['test/**/*.test.ts', '{local,load}/test/**/*.test.ts'],
          exclude: stackSuites,
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: stackSuites,
          globalSetup: ['test/support/stack-template.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
