/**
 * `npm run bench:soak [threadGroupSize numThreadGroups delay]`: does the stack slow down as its data grows?
 * The course run (reviews scenario, the size `bench:course` takes) twice on one data folder inside the
 * project, where `npm start` keeps its own: on a fresh stack (A), then, after filling the folder with
 * BENCH_SOAK_ALBUMS albums (100,000 by default) and their covers, on the stack started again over it (B),
 * as a user's would be after a day of use. Prints both side by side with the ratio B/A of req/s, p99 and
 * CPU per request by process, and whether B is within 10 % of A. Exits non-zero only when a run failed or
 * the albums and reviews it accepted were not stored exactly.
 *
 * The data folder (`.local-data-soak-<pid>/`) is removed at the end unless BENCH_SOAK_KEEP=1.
 */
import { rmSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_IMAGE } from '@album-service/load/dialects';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../credentials.js';
import { startLocalStack } from '../stack.js';
import {
  type CheckOutcome,
  checkAlbums,
  courseSize,
  cpuByLabel,
  fixed,
  type LoadClient,
  type MeasuredCourse,
  mb,
  measureCourse,
  mergeReviews,
  REQUEST_TYPES,
  settle,
  startLoadClient,
  table,
} from './course-harness.js';
import type { CourseSize, LoadResult, RequestType } from './course-load.js';
import { fillStore } from './soak-fill.js';

/** "Within 10 % of a fresh stack": B's req/s at least 90 % of A's, its p99 at most 110 %. */
const TOLERANCE = 0.1;
/** The course client's artist: the checks list only its albums, not the ones the fill stored. */
const COURSE_ARTIST = 'Sex Pistols';
/** Requests of each type before a measured run, so that no function loads its bundle during it. */
const WARM_UP_REQUESTS = 20;
/** Each run numbers its album titles from its own multiple of this, so titles stay unique in one store. */
const RUN_INDEX_SPAN = 10_000_000;

interface SoakRun {
  label: string;
  startSeconds: number;
  measured: MeasuredCourse;
  check: CheckOutcome;
  /** Stored albums looked up through the API, with what was wrong with each. */
  lookups: string[];
  environment: Record<string, string>;
}

interface Usage {
  files: number;
  /** The files' sizes added up. */
  bytes: number;
  /** The blocks they take on disk: small files take a whole block each. */
  diskBytes: number;
}

interface Footprint extends Usage {
  byFolder: Map<string, Usage>;
}

const projectRoot = resolve(import.meta.dirname, '..', '..');
// Inside the project, where `npm start` keeps .local-data/: a stack that walked the project tree (as its
// file watcher once did) would see every file stored here.
const dataDir = join(projectRoot, `.local-data-soak-${process.pid}`);
const keepData = process.env.BENCH_SOAK_KEEP === '1';

/**
 * Starts the stack on the soak's data folder as `npm start` would (free ports aside), warms up every
 * course function, measures one course run, checks what it stored, and stops the stack.
 */
async function runOnStack(
  label: string,
  run: number,
  load: LoadClient,
  size: CourseSize,
  storedAlbumIds: string[],
): Promise<SoakRun> {
  const startedAt = performance.now();
  const stack = await startLocalStack({ ephemeral: true, dataDir });
  const startSeconds = (performance.now() - startedAt) / 1000;
  const sqs = new SQSClient({ endpoint: stack.sqsUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    const warmUp = await warmUpCourse(load, `${stack.apiUrl}/cs6650/`, run * RUN_INDEX_SPAN);
    await settle(stack, sqs);
    const measured = await measureCourse(stack, sqs, load, size, run * RUN_INDEX_SPAN);
    const check = await checkAlbums(
      stack.apiUrl,
      [...warmUp.flatMap((result) => result.albums), ...measured.course.albums],
      mergeReviews([...warmUp, measured.course]),
      COURSE_ARTIST,
    );
    const lookups = await Promise.all(storedAlbumIds.map((albumId) => lookUpStored(stack.apiUrl, albumId)));
    return { label, startSeconds, measured, check, lookups, environment: stack.environment };
  } finally {
    sqs.destroy();
    await stack.stop();
  }
}

/** A few requests of each type, numbered past the measured run's titles. */
async function warmUpCourse(load: LoadClient, baseUrl: string, runIndex: number): Promise<LoadResult[]> {
  const firstIndex = runIndex + RUN_INDEX_SPAN / 2;
  const phase = (type: RequestType, albums: string[]) =>
    load.run({ kind: 'phase', baseUrl, type, requests: WARM_UP_REQUESTS, workers: 10, albums, firstIndex });
  const created = await phase('POST album', []);
  const albumIds = created.albums.map(({ albumId }) => albumId);
  const results = [created];
  for (const type of ['GET album', 'POST review', 'GET review'] as const)
    results.push(await phase(type, albumIds));
  return results;
}

/** An album the fill stored, through the API: its cover must be ready and its image served. Answers what was wrong. */
async function lookUpStored(apiUrl: string, albumId: string): Promise<string> {
  const response = await fetch(`${apiUrl}/albums/${albumId}`);
  if (!response.ok) return `${albumId}: GET answered ${response.status}`;
  const album = (await response.json()) as { cover: { status: string; url?: string } };
  if (album.cover.status !== 'ready' || !album.cover.url) return `${albumId}: cover ${album.cover.status}`;
  const image = await fetch(album.cover.url);
  const bytes = Buffer.from(await image.arrayBuffer());
  return image.ok && bytes.equals(DEFAULT_IMAGE) ? '' : `${albumId}: cover image answered ${image.status}`;
}

/** Files and bytes in the data folder, in all and by its top-level folders. */
async function footprint(folder: string): Promise<Footprint> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const result: Footprint = { files: 0, bytes: 0, diskBytes: 0, byFolder: new Map() };
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const { size, blocks } = await stat(path);
    const top = relative(folder, path).split('/')[0] ?? '';
    const sub = result.byFolder.get(top) ?? { files: 0, bytes: 0, diskBytes: 0 };
    for (const usage of [sub, result]) {
      usage.files++;
      usage.bytes += size;
      usage.diskBytes += blocks * 512;
    }
    result.byFolder.set(top, sub);
  }
  return result;
}

const ratio = (after: number, before: number) => (before > 0 ? fixed(after / before) : '-');
const count = (value: number) => value.toLocaleString('en-US');
const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
/** The machine's load over the last minute: the runs share it with whatever else runs there. */
const loadAverage = () => fixed(loadavg()[0] ?? 0);

function printRuns(size: CourseSize, a: SoakRun, b: SoakRun): boolean {
  const [first, second] = [a.measured.course.summary, b.measured.course.summary];
  console.log(
    `\nSide by side, course ${size.threadGroupSize}/${size.numThreadGroups}/${size.delaySeconds}, ` +
      `reviews scenario (A fresh, B over the filled store):`,
  );
  const row = (type: string, pick: (summary: typeof first) => typeof first.total | undefined) => {
    const [x, y] = [pick(first), pick(second)];
    if (!x || !y) return [];
    return [
      [
        type,
        `${x.count}/${y.count}`,
        `${x.failed}/${y.failed}`,
        fixed(x.throughput, 1),
        fixed(y.throughput, 1),
        ratio(y.throughput, x.throughput),
        fixed(x.p99Ms, 1),
        fixed(y.p99Ms, 1),
        ratio(y.p99Ms, x.p99Ms),
      ],
    ];
  };
  console.log(
    table(
      ['type', 'requests A/B', 'failed A/B', 'A req/s', 'B req/s', 'B/A', 'A p99 ms', 'B p99 ms', 'B/A'],
      [
        ...row('all', (summary) => summary.total),
        ...REQUEST_TYPES.flatMap((type) =>
          row(type, (summary) => summary.byType.find((entry) => entry.type === type)),
        ),
      ],
    ),
  );

  console.log(
    '\nCPU seconds per 1,000 course requests by process (utime+stime from /proc, over the run and until the ' +
      'stack was done with it), and peak RSS:',
  );
  const perThousand = (run: SoakRun) =>
    new Map(
      cpuByLabel(run.measured.usage).map((entry) => [
        entry.label,
        { cpu: entry.cpuSeconds / (run.measured.course.summary.total.count / 1000), rss: entry.peakRss },
      ]),
    );
  const [cpuA, cpuB] = [perThousand(a), perThousand(b)];
  console.log(
    table(
      ['process', 'A cpu s/1k', 'B cpu s/1k', 'B/A', 'A peak RSS', 'B peak RSS'],
      [...new Set([...cpuA.keys(), ...cpuB.keys()])].map((label) => {
        const [x, y] = [cpuA.get(label), cpuB.get(label)];
        return [
          label,
          x ? fixed(x.cpu) : '-',
          y ? fixed(y.cpu) : '-',
          x && y ? ratio(y.cpu, x.cpu) : '-',
          x ? mb(x.rss) : '-',
          y ? mb(y.rss) : '-',
        ];
      }),
    ),
  );

  const throughputRatio = second.total.throughput / first.total.throughput;
  const p99Ratio = second.total.p99Ms / first.total.p99Ms;
  const within = throughputRatio >= 1 - TOLERANCE && p99Ratio <= 1 + TOLERANCE;
  console.log(
    `\n${within ? 'PASS' : 'FAIL'}: B/A req/s ${fixed(throughputRatio)} (at least ${fixed(1 - TOLERANCE)}), ` +
      `B/A p99 ${fixed(p99Ratio)} (at most ${fixed(1 + TOLERANCE)})`,
  );
  return within;
}

/** Prints a run's checks; answers whether they passed. */
function printChecks(run: SoakRun): boolean {
  const { check } = run;
  const wrongLookups = run.lookups.filter(Boolean);
  console.log(
    `  ${run.label}: ${check.coversReady}/${check.albums} covers ready, ${check.countsExact}/${check.albums} ` +
      `likes and dislikes exact` +
      (run.lookups.length
        ? `, ${run.lookups.length - wrongLookups.length}/${run.lookups.length} stored albums served with their cover`
        : ''),
  );
  for (const line of [...check.mismatches, ...wrongLookups].slice(0, 10)) console.log(`    ${line}`);
  return check.mismatches.length === 0 && wrongLookups.length === 0;
}

const size = courseSize();
const albumsToStore = Number(process.env.BENCH_SOAK_ALBUMS ?? 100_000);
if (!Number.isInteger(albumsToStore) || albumsToStore < 1)
  throw new Error(`BENCH_SOAK_ALBUMS must be a whole number above 0, got '${process.env.BENCH_SOAK_ALBUMS}'`);

// Ctrl-C skips `finally`: the folder holds the whole filled store, not to be left in the project.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    process.exit(130);
  });
}

const load = startLoadClient();
console.log(
  `Soak: course ${size.threadGroupSize}/${size.numThreadGroups}/${size.delaySeconds} on a fresh stack (A), ` +
    `then on the same data folder holding ${count(albumsToStore)} more albums with covers (B); ` +
    `data folder ${relative(projectRoot, dataDir)}/`,
);
try {
  const a = await runOnStack('A, fresh', 1, load, size, []);
  console.log(
    `Run A: stack ready in ${fixed(a.startSeconds, 1)} s, ${fixed(a.measured.course.summary.total.throughput, 1)} req/s, load average ${loadAverage()}`,
  );

  const fillStart = performance.now();
  const fill = await fillStore({
    dataDir,
    albums: albumsToStore,
    environment: a.environment,
    progress: (line) => console.log(`  fill: ${line}`),
  });
  console.log(
    `Fill: ${count(fill.albums)} albums with covers in ${fixed((performance.now() - fillStart) / 1000, 1)} s ` +
      `(rows ${fixed(fill.databaseSeconds, 1)} s; covers: ${count(fill.coversPut)} PUT through the S3 API in ` +
      `${fixed(fill.putSeconds, 1)} s = ${fixed(fill.coversPut / fill.putSeconds, 0)}/s, ` +
      `${count(fill.coversWritten)} cloned in the object table in ${fixed(fill.writeSeconds, 1)} s)`,
  );

  const data = await footprint(dataDir);
  console.log('Data folder before run B:');
  console.log(
    table(
      ['folder', 'files', 'size', 'on disk'],
      [...data.byFolder, ['all', data] as const].map(([folder, usage]) => [
        folder,
        count(usage.files),
        megabytes(usage.bytes),
        megabytes(usage.diskBytes),
      ]),
    ),
  );

  const b = await runOnStack('B, filled', 2, load, size, fill.sampleAlbumIds);
  console.log(
    `Run B: stack ready in ${fixed(b.startSeconds, 1)} s, ${fixed(b.measured.course.summary.total.throughput, 1)} req/s, load average ${loadAverage()}`,
  );

  printRuns(size, a, b);
  console.log('\nChecks, through GET /albums?artist=… pages, each course album found by its title:');
  const passed = [printChecks(a), printChecks(b)].every(Boolean);
  console.log(passed ? '  all checks passed' : '  CHECKS FAILED');
  process.exitCode = passed ? 0 : 1;
} finally {
  load.child.disconnect();
  if (keepData) console.log(`Data folder kept: ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
}
