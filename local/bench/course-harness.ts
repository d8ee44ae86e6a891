/**
 * What the course benchmarks share: the course's size from the command line, the load client in a process
 * of its own, waiting for the stack to finish what the requests set off, measuring one course run with the
 * CPU and memory of every process, checking afterwards that every album and review was stored as accepted,
 * and the tables they print.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { TypeSummary } from '@album-service/load/recorder';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DataApiStats } from '../data-api/server.js';
import type { LocalStack } from '../stack.js';
import type {
  AcceptedReviews,
  CourseSize,
  CreatedAlbum,
  LoadJob,
  LoadResult,
  RequestType,
} from './course-load.js';
import { type ProcessFacts, type ProcessRole, sampleProcessTree, type TreeUsage } from './process-tree.js';

export const REQUEST_TYPES: RequestType[] = ['POST album', 'GET album', 'POST review', 'GET review'];
export const baselineDir = resolve(import.meta.dirname, 'offline-baseline');
/** The Data API is taken to be done with what the requests set off once it has had no call for this long. */
export const QUIET_MS = 3_000;
const SETTLE_TIMEOUT_MS = 120_000;

/**
 * The course's size: `threadGroupSize numThreadGroups delay` from the command line, else BENCH_COURSE
 * (`10/10/2`), else 4/4/2; BENCH_STARTUP_ITERATIONS and BENCH_ITERATIONS set the iterations.
 */
export function courseSize(): CourseSize {
  const [groupSize = '4', groups = '4', delay = '2'] =
    process.argv.length > 2 ? process.argv.slice(2) : (process.env.BENCH_COURSE ?? '4/4/2').split('/');
  const whole = (text: string, name: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${name} must be a whole number, got '${text}'`);
    return value;
  };
  return {
    threadGroupSize: whole(groupSize, 'threadGroupSize'),
    numThreadGroups: whole(groups, 'numThreadGroups'),
    delaySeconds: whole(delay, 'delay'),
    startupIterations: whole(process.env.BENCH_STARTUP_ITERATIONS ?? '100', 'BENCH_STARTUP_ITERATIONS'),
    iterations: whole(process.env.BENCH_ITERATIONS ?? '100', 'BENCH_ITERATIONS'),
    reviewReaders: 3,
  };
}

export interface LoadClient {
  child: ChildProcess;
  run(job: LoadJob): Promise<LoadResult>;
}

/**
 * The load client in its own process; one job at a time.
 *
 * @example
 * const load = startLoadClient();
 * const result = await load.run({ kind: 'closed', url, requests: 200, workers: 16 });
 * load.child.disconnect();
 */
export function startLoadClient(): LoadClient {
  const child = fork(resolve(import.meta.dirname, 'course-load.ts'), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
  });
  return {
    child,
    run: (job) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the load client exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (message: { result?: LoadResult; error?: string }) => {
          child.off('exit', onExit);
          if (message.result) resolve(message.result);
          else reject(new Error(`the load client failed: ${message.error}`));
        });
        child.send(job);
      }),
  };
}

export const totalCalls = (stats: DataApiStats) =>
  Object.values(stats).reduce((sum, count) => sum + count, 0);

/** The calls made between two readings of the Data API's counters. */
export function difference(after: DataApiStats, before: DataApiStats): DataApiStats {
  return Object.fromEntries(
    Object.entries(after).map(([operation, count]) => [
      operation,
      count - before[operation as keyof DataApiStats],
    ]),
  ) as DataApiStats;
}

async function dataApiCalls(stack: LocalStack): Promise<DataApiStats> {
  return (await (await fetch(`${stack.dataApiUrl}/__stats`)).json()) as DataApiStats;
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the reviews queue is empty and the Data API has been idle for {@link QUIET_MS}: by then the
 * covers uploaded have been verified and the reviews sent applied. Answers the calls counted so far.
 */
export async function settle(stack: LocalStack, sqs: SQSClient): Promise<DataApiStats> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last = await dataApiCalls(stack);
  let quietSince = Date.now();
  for (;;) {
    await sleep(250);
    const now = await dataApiCalls(stack);
    if (totalCalls(now) !== totalCalls(last)) {
      last = now;
      quietSince = Date.now();
    } else if (
      Date.now() - quietSince >= QUIET_MS &&
      (await queueDepth(sqs, stack.queueUrls.ReviewsQueue ?? '')) === 0
    ) {
      return last;
    }
    if (Date.now() > deadline)
      throw new Error(`the stack was still busy after ${SETTLE_TIMEOUT_MS / 1000} s`);
  }
}

/** Names each process of the bench's tree for what it is; the load client and the baseline are not the stack. */
export function roleOf(loadClientPid: number | undefined) {
  return (facts: ProcessFacts): ProcessRole => {
    const program = facts.command.includes('offline') ? 'serverless-offline' : programName(facts.command);
    if (facts.pid === process.pid)
      return { label: 'stack: emulators, Data API, event sources, API front', partOfStack: true };
    if (facts.branch === loadClientPid) return { label: `load client: ${program}`, partOfStack: false };
    if (facts.branchCwd === baselineDir) return { label: `minimal handler: ${program}`, partOfStack: false };
    return { label: program, partOfStack: true };
  };
}

function programName(command: string): string {
  const [program = '?'] = command.split(' ');
  return program.split('/').at(-1) ?? program;
}

interface AlbumFacts {
  coverStatus: string;
  likes: number;
  dislikes: number;
}

/** Every album (of `artist`, if given) by its title, through the API's own listing: a page of 100 at a time. */
async function listAlbumsByTitle(apiUrl: string, artist?: string): Promise<Map<string, AlbumFacts>> {
  const albums = new Map<string, AlbumFacts>();
  const byArtist = artist === undefined ? '' : `&artist=${encodeURIComponent(artist)}`;
  let cursor: string | null = null;
  do {
    const query: string = `limit=100${byArtist}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await (await fetch(`${apiUrl}/albums?${query}`)).json()) as {
      items: Array<{
        title: string;
        cover: { status: string };
        reviews: { likes: number; dislikes: number };
      }>;
      nextCursor: string | null;
    };
    for (const item of page.items)
      albums.set(item.title, { coverStatus: item.cover.status, ...item.reviews });
    cursor = page.nextCursor;
  } while (cursor);
  return albums;
}

export interface CheckOutcome {
  albums: number;
  coversReady: number;
  countsExact: number;
  mismatches: string[];
}

/**
 * Checks, through the API's listing, that every album created has its cover ready and exactly the likes and
 * dislikes accepted for it. `artist` narrows the listing to the albums of one artist (the course's own),
 * where the store holds many others.
 */
export async function checkAlbums(
  apiUrl: string,
  albums: CreatedAlbum[],
  accepted: Record<string, AcceptedReviews>,
  artist?: string,
): Promise<CheckOutcome> {
  const stored = await listAlbumsByTitle(apiUrl, artist);
  const outcome: CheckOutcome = { albums: albums.length, coversReady: 0, countsExact: 0, mismatches: [] };
  for (const { albumId, title } of albums) {
    const found = stored.get(title);
    const expected = accepted[albumId] ?? { likes: 0, dislikes: 0 };
    if (found?.coverStatus === 'ready') outcome.coversReady++;
    else outcome.mismatches.push(`${albumId}: cover ${found?.coverStatus ?? 'missing'}`);
    if (found?.likes === expected.likes && found.dislikes === expected.dislikes) outcome.countsExact++;
    else
      outcome.mismatches.push(
        `${albumId}: ${found?.likes}/${found?.dislikes} likes/dislikes, ${expected.likes}/${expected.dislikes} accepted`,
      );
  }
  return outcome;
}

/** The reviews accepted by several jobs, added up per album. */
export function mergeReviews(results: LoadResult[]): Record<string, AcceptedReviews> {
  const merged: Record<string, AcceptedReviews> = {};
  for (const { reviews } of results) {
    for (const [albumId, counts] of Object.entries(reviews)) {
      merged[albumId] ??= { likes: 0, dislikes: 0 };
      merged[albumId].likes += counts.likes;
      merged[albumId].dislikes += counts.dislikes;
    }
  }
  return merged;
}

export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
export const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** A plain-text table, the first column left-aligned and the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), ...rows.map(line)].map((text) => `  ${text}`).join('\n');
}

/** Count, failures, req/s, p50 and p99 of each request type, in `order`. */
export function latencyRows(byType: TypeSummary[], order: string[]): string[][] {
  return order.flatMap((type) => {
    const row = byType.find((summary) => summary.type === type);
    return row
      ? [
          [
            type,
            String(row.count),
            String(row.failed),
            fixed(row.throughput, 1),
            fixed(row.p50Ms),
            fixed(row.p99Ms),
          ],
        ]
      : [];
  });
}

/** CPU seconds per label over a sampling, with the processes each label covers. */
export function cpuByLabel(
  usage: TreeUsage,
): Array<{ label: string; processes: number; cpuSeconds: number; kernelSeconds: number; peakRss: number }> {
  const byLabel = new Map<
    string,
    { label: string; processes: number; cpuSeconds: number; kernelSeconds: number; peakRss: number }
  >();
  for (const process of usage.processes) {
    const entry = byLabel.get(process.label) ?? {
      label: process.label,
      processes: 0,
      cpuSeconds: 0,
      kernelSeconds: 0,
      peakRss: 0,
    };
    entry.processes++;
    entry.cpuSeconds += process.cpuSeconds;
    entry.kernelSeconds += process.kernelSeconds;
    entry.peakRss += process.peakRssBytes;
    byLabel.set(process.label, entry);
  }
  return [...byLabel.values()];
}

export interface MeasuredCourse {
  course: LoadResult;
  /** CPU and memory of every process, over the run and until the stack was done with it. */
  usage: TreeUsage;
  /** Data API calls over the same span. */
  calls: DataApiStats;
}

/**
 * One course run against a quiet stack, sampling the process tree from its start until the stack is quiet
 * again (the reviews applied, any cover verification done).
 *
 * @example
 * const { course, usage } = await measureCourse(stack, sqs, load, courseSize(), 0);
 */
export async function measureCourse(
  stack: LocalStack,
  sqs: SQSClient,
  load: LoadClient,
  size: CourseSize,
  firstIndex: number,
): Promise<MeasuredCourse> {
  const before = await settle(stack, sqs);
  const sampler = sampleProcessTree(process.pid, roleOf(load.child.pid));
  const course = await load.run({
    kind: 'course',
    baseUrl: `${stack.apiUrl}/cs6650/`,
    size,
    connections: 256,
    firstIndex,
  });
  const after = await settle(stack, sqs);
  return { course, usage: sampler.stop(), calls: difference(after, before) };
}
