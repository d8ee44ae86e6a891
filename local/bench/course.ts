/**
 * `npm run bench:course [threadGroupSize numThreadGroups delay]`: the CS6650 course protocol (reviews
 * scenario) through the whole local stack, started here on free ports with throwaway data. Prints req/s and
 * p50/p99 per request type, the stack's peak memory and CPU per 1,000 requests by process, the Data API
 * calls each request type makes, and serverless-offline serving a minimal handler under the same load
 * client at the course's peak concurrency, as a ratio. Then checks that every review was counted exactly
 * once and every cover became ready. The ratio is the figure to compare across machines.
 *
 * Sizes: 4 4 2 by default (or BENCH_COURSE=10/10/2); BENCH_ITERATIONS and BENCH_STARTUP_ITERATIONS set
 * the iterations per group and startup thread, BENCH_PHASE_REQUESTS the requests of each counting phase.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../credentials.js';
import type { DataApiStats } from '../data-api/server.js';
import { startServerlessOffline } from '../offline.js';
import { freePort } from '../ports.js';
import { startLocalStack } from '../stack.js';
import {
  baselineDir,
  checkAlbums,
  courseSize,
  cpuByLabel,
  difference,
  fixed,
  latencyRows,
  mb,
  measureCourse,
  mergeReviews,
  QUIET_MS,
  REQUEST_TYPES,
  roleOf,
  settle,
  startLoadClient,
  table,
  totalCalls,
} from './course-harness.js';
import type { CourseSize, CreatedAlbum, LoadResult, RequestType } from './course-load.js';
import { sampleProcessTree, type TreeUsage } from './process-tree.js';

/** The phases number their album titles from here, past any course run's, so every title is unique. */
const PHASE_FIRST_INDEX = 1_000_000;

/**
 * One phase per request type; the review types twice over the same albums, because the functions that take
 * them remember, per warm container, the albums they have seen exist.
 */
const PHASES: Array<{ type: RequestType; label: string }> = [
  { type: 'POST album', label: 'POST album' },
  { type: 'GET album', label: 'GET album' },
  { type: 'POST review', label: 'POST review, first per album' },
  { type: 'POST review', label: 'POST review, again' },
  { type: 'GET review', label: 'GET review, first per album' },
  { type: 'GET review', label: 'GET review, again' },
];

interface PhaseCount {
  label: string;
  type: RequestType;
  requests: number;
  failed: number;
  calls: DataApiStats;
  /** Lines the functions logged during the phase, for the work requests set off. */
  reviewBatches: number;
  coversVerified: number;
}

const countLines = (lines: string[], message: string) =>
  lines.filter((line) => line.includes(`"message":"${message}"`)).length;

function printCourse(
  size: CourseSize,
  course: LoadResult,
  usage: TreeUsage,
  baseline: LoadResult,
  baselineUsage: TreeUsage,
  peakConcurrency: number,
) {
  const { summary } = course;
  const thousands = summary.total.count / 1000;
  console.log(
    `\nCourse run, reviews scenario ${size.threadGroupSize}/${size.numThreadGroups}/${size.delaySeconds}: ` +
      `10 startup threads x ${size.startupIterations}, groups of ${size.threadGroupSize} threads x ${size.iterations}, ` +
      `${size.reviewReaders} review readers (up to ${peakConcurrency} at once)`,
  );
  console.log(
    `  ${summary.total.count} requests in ${fixed(summary.wallTimeSeconds, 1)} s = ${fixed(summary.total.throughput, 1)} req/s, ` +
      `${summary.total.failed} failed`,
  );
  console.log(
    table(
      ['type', 'count', 'failed', 'req/s', 'p50 ms', 'p99 ms'],
      latencyRows([...summary.byType, { ...summary.total, type: 'all' }], [...REQUEST_TYPES, 'all']),
    ),
  );

  const minimal = baseline.summary.total;
  console.log(
    `\nMinimal handler (bench/offline-baseline, GET /hello) under the same load client: closed loop, ` +
      `${peakConcurrency} workers (the course's peak), ${minimal.count} requests`,
  );
  console.log(
    `  ${fixed(minimal.throughput, 1)} req/s, p50 ${fixed(minimal.p50Ms)} ms, p99 ${fixed(minimal.p99Ms)} ms, ${minimal.failed} failed`,
  );
  console.log(`  stack req/s / minimal req/s = ${fixed(summary.total.throughput / minimal.throughput, 3)}`);

  console.log(
    `\nMemory of the stack's processes (sampled every 250 ms, ${usage.samples} samples over the course run):`,
  );
  console.log(`  peak RSS, all together: ${mb(usage.peakStackRssBytes)}`);
  console.log(
    `\nCPU seconds by process over the course run and until its reviews and covers were done ` +
      `(utime+stime from /proc/<pid>/stat), per 1,000 course requests, and the part of it in the kernel (stime: ` +
      `file and socket work, some of it on threads a --cpu-prof profile does not sample):`,
  );
  const rows = cpuByLabel(usage)
    .filter((entry) => !entry.label.startsWith('minimal handler'))
    .map((entry) => [
      entry.label,
      String(entry.processes),
      mb(entry.peakRss),
      fixed(entry.cpuSeconds),
      fixed(entry.cpuSeconds / thousands),
      fixed(entry.kernelSeconds / thousands),
    ]);
  const minimalCpu = cpuByLabel(baselineUsage)
    .filter((entry) => entry.label.startsWith('minimal handler'))
    .map((entry) => [
      `${entry.label} (during its own run)`,
      String(entry.processes),
      mb(entry.peakRss),
      fixed(entry.cpuSeconds),
      fixed(entry.cpuSeconds / (minimal.count / 1000)),
      fixed(entry.kernelSeconds / (minimal.count / 1000)),
    ]);
  console.log(
    table(['process', 'pids', 'peak RSS', 'cpu s', 'cpu s / 1k req', 'kernel'], [...rows, ...minimalCpu]),
  );
}

function printPhases(phases: PhaseCount[], workers: number, courseCalls: DataApiStats, course: LoadResult) {
  console.log(
    `\nData API calls per request type, counted at the local endpoint (GET /__stats): a phase per type (review types twice: the functions ` +
      `remember per warm container which albums exist), ` +
      `${workers} workers, no retries, each from a quiet stack until the stack is quiet again ` +
      `(queue empty, no call for ${QUIET_MS / 1000} s), so a request's figure includes the work it sets off ` +
      `(the consumer's batches after POST review; a cover verification, which POST album no longer sets off):`,
  );
  const rows = phases.map((phase) => {
    const ok = phase.requests - phase.failed;
    const total = totalCalls(phase.calls);
    return [
      phase.label,
      String(ok),
      String(phase.failed),
      String(phase.calls.ExecuteStatement),
      String(phase.calls.BatchExecuteStatement),
      String(phase.calls.BeginTransaction + phase.calls.CommitTransaction + phase.calls.RollbackTransaction),
      String(phase.coversVerified),
      String(phase.reviewBatches),
      fixed(ok ? total / ok : 0, 3),
    ];
  });
  console.log(
    table(
      [
        'type',
        'ok',
        'failed',
        'Execute',
        'BatchExecute',
        'Begin/Commit/Rollback',
        'covers verified',
        'review batches',
        'calls / request',
      ],
      rows,
    ),
  );
  const perRequest = (phase: PhaseCount) =>
    totalCalls(phase.calls) / Math.max(1, phase.requests - phase.failed);
  const predicted = (pick: (figures: number[]) => number) =>
    REQUEST_TYPES.reduce((sum, type) => {
      const count = course.summary.byType.find((row) => row.type === type)?.ok ?? 0;
      return sum + count * pick(phases.filter((phase) => phase.type === type).map(perRequest));
    }, 0);
  console.log(
    `  the course run made ${totalCalls(courseCalls)} calls (${courseCalls.ExecuteStatement} ExecuteStatement); ` +
      `the phases' figures put it between ${predicted((figures) => Math.min(...figures)).toFixed(0)} ` +
      `(every review request a repeat) and ${predicted((figures) => Math.max(...figures)).toFixed(0)} ` +
      '(every one the first for its album); batches fill differently at different rates',
  );
}

const size = courseSize();
const peakConcurrency = size.threadGroupSize * size.numThreadGroups + size.reviewReaders;
const phaseRequests = Number(process.env.BENCH_PHASE_REQUESTS ?? 100);
const logs: string[] = [];
const startedAt = performance.now();
// DATABASE_URL runs it on that PostgreSQL or MySQL/MariaDB database (which should start empty), as npm start does.
const stack = await startLocalStack({
  ephemeral: true,
  databaseUrl: process.env.DATABASE_URL,
  log: (line) => logs.push(line),
});
const basePort = await freePort();
const baseline = await startServerlessOffline({
  cwd: baselineDir,
  env: { PORT: String(basePort), LAMBDA_PORT: String(await freePort()) },
  log: () => undefined,
});
const sqs = new SQSClient({ endpoint: stack.sqsUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
const load = startLoadClient();
const courseUrl = `${stack.apiUrl}/cs6650/`;
console.log(`Local stack and minimal handler ready in ${fixed((performance.now() - startedAt) / 1000, 1)} s`);

try {
  const phases: PhaseCount[] = [];
  const phaseResults: LoadResult[] = [];
  let phaseAlbums: CreatedAlbum[] = [];
  for (const { type, label } of PHASES) {
    const before = await settle(stack, sqs);
    const logsBefore = logs.length;
    const result = await load.run({
      kind: 'phase',
      baseUrl: courseUrl,
      type,
      requests: phaseRequests,
      workers: peakConcurrency,
      albums: phaseAlbums.map(({ albumId }) => albumId),
      firstIndex: PHASE_FIRST_INDEX,
    });
    const after = await settle(stack, sqs);
    const phaseLogs = logs.slice(logsBefore);
    if (type === 'POST album') phaseAlbums = result.albums;
    phaseResults.push(result);
    phases.push({
      label,
      type,
      requests: result.summary.total.count,
      failed: result.summary.total.failed,
      calls: difference(after, before),
      reviewBatches: countLines(phaseLogs, 'Applied review batch'),
      coversVerified: countLines(phaseLogs, 'Cover verified'),
    });
  }

  const { course, usage: courseUsage, calls: courseCalls } = await measureCourse(stack, sqs, load, size, 0);

  const minimalUrl = `http://localhost:${basePort}/hello`;
  // Its handler is loaded on the first request, as the stack's were by the phases.
  await load.run({ kind: 'closed', url: minimalUrl, requests: 200, workers: peakConcurrency });
  const baselineSampler = sampleProcessTree(process.pid, roleOf(load.child.pid));
  const minimal = await load.run({
    kind: 'closed',
    url: minimalUrl,
    requests: course.summary.total.count,
    workers: peakConcurrency,
  });
  const baselineUsage = baselineSampler.stop();

  printCourse(size, course, courseUsage, minimal, baselineUsage, peakConcurrency);
  printPhases(phases, peakConcurrency, courseCalls, course);

  const accepted = mergeReviews([...phaseResults, course]);
  const albums = [...phaseAlbums, ...course.albums];
  const check = await checkAlbums(stack.apiUrl, albums, accepted);
  console.log(
    `\nChecks, through GET /albums?limit=100 pages, each album found by its title: ${check.albums} albums created ` +
      `(${course.albums.length} by the course run, ${phaseAlbums.length} by the phases)`,
  );
  console.log(`  covers ready:                 ${check.coversReady}/${check.albums}`);
  console.log(
    `  likes and dislikes exact:     ${check.countsExact}/${check.albums} (against the reviews answered 2XX)`,
  );
  for (const mismatch of check.mismatches.slice(0, 10)) console.log(`  ${mismatch}`);
  const passed = check.mismatches.length === 0;
  console.log(passed ? '  all checks passed' : '  CHECKS FAILED');
  process.exitCode = passed ? 0 : 1;
} finally {
  load.child.disconnect();
  sqs.destroy();
  await baseline.stop();
  await stack.stop();
}
