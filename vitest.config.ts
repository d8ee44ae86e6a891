import { defineConfig } from 'vitest/config';
import { SummaryLineReporter } from './test/support/summary-reporter.js';

/**
 * Suites that start whole stacks: each runs its functions in a process of its own and mostly waits on it, so
 * two run at a time, after the in-process suites, on one build of the functions made for the run.
 */
const stackSuites = ['test/api', 'test/course', 'test/docs/readme', 'test/fuzz'].map((path) =>
  path.endsWith('/readme') ? `${path}.test.ts` : `${path}/**/*.test.ts`,
);

/**
 * Suites run alone, last: `npm start` as a user runs it (which builds its own functions), the page's in
 * Chromium beside its stack, the templates' (each packages the service with serverless), all CPU-bound; and
 * those that measure a pace (the throttle, the load client's runs), which a neighbour would skew.
 */
const soloSuites = [
  'test/browser/**/*.test.ts',
  'test/docs/npm-start.test.ts',
  'test/deploy/**/*.test.ts',
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
          // packages or under test/), the Data API domain's.
          include: ['test/**/*.test.ts', '{local,load}/test/**/*.test.ts'],
          exclude: [...stackSuites, ...soloSuites],
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: stackSuites,
          globalSetup: ['test/support/stack-template.ts', 'test/support/shared-stack.ts'],
          maxWorkers: 2,
          // A worker loads the modules once for all the files it runs, rather than once per file: each file
          // starts and stops what it uses. (The unit project stays isolated: sharing its modules once let a
          // damaged PNG decode whole, for a reason not yet found.)
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'solo',
          include: soloSuites,
          // The page's suite starts a stack of its own too, on the run's build; the templates' share packages
          // in the run's folder.
          globalSetup: ['test/support/stack-template.ts', 'test/support/run-folder.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
