import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AlbumApiDialect, courseDialect, DEFAULT_IMAGE, nativeDialect } from './dialects.js';
import { HttpClient, type RequestSpec } from './http.js';
import { type CourseScenario, type RunContext, runClosedLoop, runCourse, runOpenLoop } from './modes.js';
import { startProgress } from './progress.js';
import { Recorder, type RunSummary } from './recorder.js';
import { formatTable, writeReports } from './report.js';

export const HELP = `album-load: drive an HTTP API and report latency percentiles and throughput.

Usage
  album-load course <threadGroupSize> <numThreadGroups> <delay> <baseUrl> [options]
  album-load closed <url> [options]
  album-load open <url> --rate <req/s> [options]

Modes
  course   The CS6650 load-client protocol: 10 startup threads x 100 (POST album, GET album); then
           <numThreadGroups> groups of <threadGroupSize> threads started <delay> seconds apart; with
           --scenario reviews, 3 reader threads GET review counts from when the first group finishes.
           <baseUrl> is the API's base, e.g. http://localhost:3000/cs6650/ or http://localhost:3000/.
  closed   <connections> workers, each sending its next request when the last is answered.
  open     A constant arrival rate; latency counts from when each request was due (coordinated
           omission corrected, as wrk2 does), so a stalled server shows in the percentiles.

Course options
  --api course|native       course: the CS6650 contract (multipart albums, review/{likeornot}/{id});
                            native: this service's JSON API (albums, albums/{id}/reviews). Default course.
  --scenario albums|reviews albums: each iteration is POST album + GET album (v1.0);
                            reviews: POST album + 2 likes + 1 dislike (v1.1+). Default albums.
  --iterations <n>          iterations per group thread (default 1000 for albums, 100 for reviews)
  --startup-iterations <n>  iterations per startup thread (default 100)
  --review-readers <n>      review-count reader threads (default 3 with reviews, 0 with albums)
  --image <file>            the cover image to upload (default a 1x1 PNG)

Closed and open loop options
  --method GET|POST         (default GET)
  --body <text>             request body; sent with --header content-type:...
  --header <name:value>     a request header; may be repeated
  --connections <n>         closed: concurrent workers; open: pool size (default 10)
  --duration <seconds>      how long to run (closed default 10 unless --requests; open default 10)
  --requests <n>            closed: stop after this many requests
  --rate <n>                open: requests started per second (required)
  --max-in-flight <n>       open: requests in flight at most (default 1000)

Common options
  --retries <n>             retries of a request answered 4XX/5XX or not at all (course default 5, else 0)
  --out <dir>               where requests.csv, summary.json, report.html and throughput.svg go
                            (default load-results/<timestamp>)
  --quiet                   no progress line
  --help                    this text

Every run is bounded by its counts and duration and stops by itself; Ctrl-C stops it early and still
writes the report.`;

/** Thrown for command lines that cannot be run; the message says what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const wholeNumber = (value: string | undefined, name: string, fallback?: number): number => {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${name} is required`);
    return fallback;
  }
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new UsageError(`${name} must be a whole number, got '${value}'`);
  return number;
};

const positiveNumber = (
  value: string | undefined,
  name: string,
  fallback: number,
  allowZero = false,
): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(number > 0 || (allowZero && number === 0))) {
    throw new UsageError(`${name} must be a positive number, got '${value}'`);
  }
  return number;
};

/**
 * Runs the load client with the given arguments and returns the run's summary (undefined for --help).
 *
 * @example
 * await runCli(['closed', 'http://localhost:3000/albums', '--requests', '100', '--quiet']);
 */
export async function runCli(
  argv: string[],
  signal: AbortSignal = new AbortController().signal,
): Promise<RunSummary | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      api: { type: 'string', default: 'course' },
      scenario: { type: 'string', default: 'albums' },
      iterations: { type: 'string' },
      'startup-iterations': { type: 'string' },
      'review-readers': { type: 'string' },
      image: { type: 'string' },
      method: { type: 'string', default: 'GET' },
      body: { type: 'string' },
      header: { type: 'string', multiple: true, default: [] },
      connections: { type: 'string' },
      duration: { type: 'string' },
      requests: { type: 'string' },
      rate: { type: 'string' },
      'max-in-flight': { type: 'string' },
      retries: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [mode, ...rest] = positionals;
  if (values.help || mode === undefined) {
    console.log(HELP);
    return undefined;
  }

  if (!['course', 'closed', 'open'].includes(mode))
    throw new UsageError(`unknown mode '${mode}': use course, closed or open`);
  const out = values.out ?? join('load-results', new Date().toISOString().replace(/[:.]/g, '-'));
  const recorder = new Recorder({ csvPath: await prepareCsv(out) });
  const connections = wholeNumber(values.connections, '--connections', mode === 'course' ? 256 : 10);
  const http = new HttpClient({ connections });
  const context: RunContext = { http, recorder, signal };
  let title: string;

  const progress = values.quiet ? undefined : startProgress(recorder);
  try {
    if (mode === 'course') {
      const [groupSize, groups, delay, baseUrl] = rest;
      if (!baseUrl)
        throw new UsageError('course needs <threadGroupSize> <numThreadGroups> <delay> <baseUrl>');
      const scenario = values.scenario as CourseScenario;
      if (scenario !== 'albums' && scenario !== 'reviews')
        throw new UsageError(`--scenario must be albums or reviews`);
      const dialect = await chooseDialect(values.api, baseUrl, values.image);
      title = `course ${scenario} ${groupSize}/${groups}/${delay} against ${baseUrl}`;
      await runCourse(context, {
        dialect,
        scenario,
        threadGroupSize: wholeNumber(groupSize, 'threadGroupSize'),
        numThreadGroups: wholeNumber(groups, 'numThreadGroups'),
        delaySeconds: positiveNumber(delay, 'delay', 0, true),
        startupIterations: wholeNumber(values['startup-iterations'], '--startup-iterations', 100),
        iterations: wholeNumber(values.iterations, '--iterations', scenario === 'albums' ? 1000 : 100),
        reviewReaders: wholeNumber(
          values['review-readers'],
          '--review-readers',
          scenario === 'reviews' ? 3 : 0,
        ),
        maxRetries: wholeNumber(values.retries, '--retries', 5),
      });
    } else {
      const [url] = rest;
      if (!url) throw new UsageError(`${mode} needs a URL`);
      const request = requestSpec(url, values.method, values.body, values.header);
      const type = `${request.method} ${new URL(url).pathname}`;
      const maxRetries = wholeNumber(values.retries, '--retries', 0);
      if (mode === 'closed') {
        const requests =
          values.requests === undefined ? undefined : wholeNumber(values.requests, '--requests');
        const durationSeconds = positiveNumber(
          values.duration,
          '--duration',
          requests === undefined ? 10 : 3600,
        );
        title = `closed loop, ${connections} connections, ${type}`;
        await runClosedLoop(context, { request, type, connections, durationSeconds, requests, maxRetries });
      } else {
        const rate = positiveNumber(values.rate, '--rate', Number.NaN);
        if (Number.isNaN(rate)) throw new UsageError('open needs --rate');
        title = `open loop, ${rate} req/s, ${type}`;
        await runOpenLoop(context, {
          request,
          type,
          rate,
          durationSeconds: positiveNumber(values.duration, '--duration', 10),
          maxInFlight: wholeNumber(values['max-in-flight'], '--max-in-flight', 1000),
          maxRetries,
        });
      }
    }
  } finally {
    progress?.stop();
    await http.close();
  }

  const summary = await recorder.finish();
  await writeReports(out, summary, title);
  if (!values.quiet) {
    console.log(formatTable(summary));
    console.log(`\nrequests.csv, summary.json, report.html and throughput.svg are in ${out}`);
  }
  return summary;
}

async function prepareCsv(out: string): Promise<string> {
  await mkdir(out, { recursive: true });
  return join(out, 'requests.csv');
}

async function chooseDialect(
  api: string | undefined,
  baseUrl: string,
  imagePath?: string,
): Promise<AlbumApiDialect> {
  if (api === 'native') return nativeDialect(baseUrl);
  if (api === 'course') return courseDialect(baseUrl, imagePath ? await readFile(imagePath) : DEFAULT_IMAGE);
  throw new UsageError(`--api must be course or native, got '${api}'`);
}

function requestSpec(
  url: string,
  method: string | undefined,
  body: string | undefined,
  headers: string[],
): RequestSpec {
  if (method !== 'GET' && method !== 'POST')
    throw new UsageError(`--method must be GET or POST, got '${method}'`);
  try {
    new URL(url);
  } catch {
    throw new UsageError(`'${url}' is not a URL`);
  }
  const headerEntries = headers.map((header) => {
    const at = header.indexOf(':');
    if (at < 1) throw new UsageError(`--header must be name:value, got '${header}'`);
    return [header.slice(0, at).trim().toLowerCase(), header.slice(at + 1).trim()];
  });
  return { method, url, body, headers: Object.fromEntries(headerEntries) };
}

/** The command line: Ctrl-C ends the run early (the report is still written); usage errors exit 2. */
export async function main(argv: string[]): Promise<void> {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  try {
    await runCli(argv, abort.signal);
  } catch (error) {
    console.error(error instanceof UsageError ? `album-load: ${error.message} (see --help)` : error);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
