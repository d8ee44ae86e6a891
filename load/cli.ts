import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type AlbumApiDialect, courseDialect, DEFAULT_IMAGE, nativeDialect } from './dialects.js';
import { EARLY_STOP_SECONDS, stopWhenEveryRequestFails } from './early-stop.js';
import { HttpClient, type RequestSpec } from './http.js';
import { type CourseScenario, type RunContext, runClosedLoop, runCourse, runOpenLoop } from './modes.js';
import { EXIT_CODES, judge, type RunResult } from './outcome.js';
import { startProgress } from './progress.js';
import { Recorder } from './recorder.js';
import { formatReport, linkToRequestHistory, writeReports } from './report.js';
import {
  checkThresholds,
  parseThreshold,
  THRESHOLD_GRAMMAR,
  type Threshold,
  ThresholdSyntaxError,
} from './thresholds.js';

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
           omission corrected, as wrk2 does), so a stalled server shows in the percentiles. The report
           gives the target and achieved rates, and warns below 95 % of the target.

Course options
  --api course|native       course: the CS6650 contract (multipart albums, review/{likeornot}/{id});
                            native: this service's JSON API (albums, albums/{id}/reviews). Default course.
  --scenario albums|reviews albums: each iteration is POST album + GET album (v1.0);
                            reviews: POST album + 2 likes + 1 dislike (v1.1+). Default albums.
  --iterations <n>          iterations per group thread (default 1000 for albums, 100 for reviews)
  --startup-iterations <n>  iterations per startup thread (default 100)
  --review-readers <n>      review-count reader threads (default 3 with reviews, 0 with albums)
  --image <file>            the cover image to upload (default a 1x1 PNG)
  --token <jwt>             with --api native: the bearer token its writes (POST album, POST review)
                            need, e.g. $(npm run -s token -- loadtest) against the local stack

Closed and open loop options
  --method GET|POST         (default GET)
  --body <text>             request body; sent with --header content-type:...
  --header <name:value>     a request header; may be repeated
  --token <jwt>             sent as authorization: Bearer <jwt> (the same as that --header)
  --connections <n>         closed: concurrent workers; open: pool size (default 10)
  --duration <seconds>      how long to run (closed default 10 unless --requests; open default 10)
  --requests <n>            closed: stop after this many requests
  --rate <n>                open: requests started per second (required)
  --max-in-flight <n>       open: requests in flight at most (default 1000)

Pass/fail
  --threshold <expr>        fail the run (exit 99) unless <expr> holds; may be repeated:
${THRESHOLD_GRAMMAR.replace(/^/gm, '    ')}
  --max-failed <n>          fail the run unless at most <n> requests failed (the same as failed<=n)
  A run where every request fails fails too (exit 97), and says why; one where every request of the
  first ${EARLY_STOP_SECONDS} s failed stops then. A request that got no answer (refused, reset, timed out)
  counts as failed, and is left out of the latencies and the throughput, which measure answers.

Common options
  --warmup <seconds>        leave requests started in the first <seconds> out of every statistic
                            (they stay in requests.csv and are shaded on the chart)
  --timeout <seconds>       give up on a request when the server is silent this long (default 30)
  --retries <n>             retries of a request answered 4XX/5XX or not at all (course default 5, else 0)
  --out <dir>               where requests.csv, summary.json, report.html, throughput.svg and latency.svg
                            go (default load-results/<timestamp>)
  --quiet                   no table, and no progress line (shown each second on a terminal only);
                            problems still go to stderr
  --help                    this text

Exit codes
  0 passed, 2 a command line it cannot run, 97 every request failed, 99 a threshold crossed.

Every run is bounded by its counts and duration and stops by itself; Ctrl-C stops it early and still
writes the report.`;

const USAGE = 'album-load course|closed|open ... [options]; see --help';

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

const OPTIONS = {
  api: { type: 'string', default: 'course' },
  scenario: { type: 'string', default: 'albums' },
  iterations: { type: 'string' },
  'startup-iterations': { type: 'string' },
  'review-readers': { type: 'string' },
  image: { type: 'string' },
  token: { type: 'string' },
  method: { type: 'string', default: 'GET' },
  body: { type: 'string' },
  header: { type: 'string', multiple: true, default: [] },
  connections: { type: 'string' },
  duration: { type: 'string' },
  requests: { type: 'string' },
  rate: { type: 'string' },
  'max-in-flight': { type: 'string' },
  threshold: { type: 'string', multiple: true, default: [] },
  'max-failed': { type: 'string' },
  warmup: { type: 'string' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The command line's options and positionals; a malformed one is a UsageError naming it. */
function parseCommandLine(argv: string[]): { values: Options; positionals: string[] } {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Node's own message, to its first full stop: the rest is advice about '--' that does not apply here.
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError((error as Error).message.split(/\.( |$)/)[0] ?? code);
    throw error;
  }
}

function readThresholds(values: Options): Threshold[] {
  const sources = [...values.threshold];
  if (values['max-failed'] !== undefined)
    sources.push(`failed<=${wholeNumber(values['max-failed'], '--max-failed')}`);
  try {
    return sources.map(parseThreshold);
  } catch (error) {
    if (error instanceof ThresholdSyntaxError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Runs the load client with the given arguments and returns the judged run (undefined for --help).
 * Unless --quiet, prints the report; with it, prints only what went wrong, to stderr.
 *
 * @example
 * const result = await runCli(['closed', 'http://localhost:3000/albums', '--requests', '100', '--quiet']);
 * process.exitCode = result?.exitCode;
 */
export async function runCli(
  argv: string[],
  signal: AbortSignal = new AbortController().signal,
): Promise<RunResult | undefined> {
  const { values, positionals } = parseCommandLine(argv);
  const [mode, ...rest] = positionals;
  if (values.help || mode === undefined) {
    console.log(HELP);
    return undefined;
  }
  if (mode !== 'course' && mode !== 'closed' && mode !== 'open')
    throw new UsageError(`unknown mode '${mode}': use course, closed or open`);
  const thresholds = readThresholds(values);
  const warmupSeconds = positiveNumber(values.warmup, '--warmup', 0, true);
  const out = values.out ?? join('load-results', new Date().toISOString().replace(/[:.]/g, '-'));
  const connections = wholeNumber(values.connections, '--connections', mode === 'course' ? 256 : 10);
  const timeoutMs = positiveNumber(values.timeout, '--timeout', 30) * 1000;
  const plan = await planRun(mode, rest, values, connections, warmupSeconds);

  const recorder = new Recorder({ csvPath: await prepareCsv(out), warmupSeconds });
  const http = new HttpClient({ connections, timeoutMs });
  const progress = values.quiet ? undefined : startProgress(recorder);
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });
  const watchdog = stopWhenEveryRequestFails(recorder, stop);
  try {
    await plan.run({ http, recorder, signal: stop.signal });
  } finally {
    watchdog.cancel();
    progress?.stop();
    await http.close();
  }

  const finished = await recorder.finish();
  const summary = { ...finished, slowest: await linkToRequestHistory(finished.slowest) };
  const checked = checkThresholds(thresholds, {
    total: summary.total,
    percentileMs: (percentile) => recorder.percentileMs(percentile),
  });
  const openLoop =
    plan.targetRate === undefined
      ? undefined
      : { targetRate: plan.targetRate, achievedRate: summary.total.throughput, connections };
  const result = judge(summary, plan.title, checked, openLoop, watchdog.reason());
  await writeReports(out, result);
  if (values.quiet) {
    for (const warning of result.warnings) console.error(`album-load: warning: ${warning}`);
    for (const problem of result.problems) console.error(`album-load: ${problem}`);
  } else {
    console.log(`\n${formatReport(result)}`);
    console.log(`\nrequests.csv, summary.json, report.html and the charts are in ${out}`);
  }
  return result;
}

/** A run worked out from the command line, ready to start: its title, and its target rate if open. */
interface RunPlan {
  title: string;
  targetRate?: number;
  run(context: RunContext): Promise<void>;
}

async function planRun(
  mode: 'course' | 'closed' | 'open',
  rest: string[],
  values: Options,
  connections: number,
  warmupSeconds: number,
): Promise<RunPlan> {
  if (mode === 'course') return planCourse(rest, values);
  const [url] = rest;
  if (!url) throw new UsageError(`${mode} needs a URL`);
  const headers = values.token ? [...values.header, `authorization:Bearer ${values.token}`] : values.header;
  const request = requestSpec(url, values.method, values.body, headers);
  const type = `${request.method} ${routeOf(new URL(url).pathname)}`;
  const maxRetries = wholeNumber(values.retries, '--retries', 0);
  const checkWarmup = (durationSeconds: number) => {
    if (warmupSeconds >= durationSeconds)
      throw new UsageError(
        `--warmup ${warmupSeconds} leaves nothing of a ${durationSeconds} s run to measure`,
      );
  };
  if (mode === 'closed') {
    const requests = values.requests === undefined ? undefined : wholeNumber(values.requests, '--requests');
    const durationSeconds = positiveNumber(values.duration, '--duration', requests === undefined ? 10 : 3600);
    if (requests === undefined) checkWarmup(durationSeconds);
    return {
      title: `closed loop, ${connections} connections, ${type}`,
      run: (context) =>
        runClosedLoop(context, { request, type, connections, durationSeconds, requests, maxRetries }),
    };
  }
  const rate = positiveNumber(values.rate, '--rate', Number.NaN);
  if (Number.isNaN(rate)) throw new UsageError('open needs --rate');
  const durationSeconds = positiveNumber(values.duration, '--duration', 10);
  checkWarmup(durationSeconds);
  const maxInFlight = wholeNumber(values['max-in-flight'], '--max-in-flight', 1000);
  return {
    title: `open loop, ${rate} req/s, ${type}`,
    targetRate: rate,
    run: (context) => runOpenLoop(context, { request, type, rate, durationSeconds, maxInFlight, maxRetries }),
  };
}

/** A URL path as its route: ids (UUIDs, numbers) become `{id}`, so a label names the route, not one album. */
export function routeOf(pathname: string): string {
  const id = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
  return pathname
    .split('/')
    .map((segment) => (id.test(segment) ? '{id}' : segment))
    .join('/');
}

async function planCourse(rest: string[], values: Options): Promise<RunPlan> {
  const [groupSize, groups, delay, baseUrl] = rest;
  if (!baseUrl) throw new UsageError('course needs <threadGroupSize> <numThreadGroups> <delay> <baseUrl>');
  const scenario = values.scenario as CourseScenario;
  if (scenario !== 'albums' && scenario !== 'reviews')
    throw new UsageError('--scenario must be albums or reviews');
  const options = {
    dialect: await chooseDialect(values.api, baseUrl, values.image, values.token),
    scenario,
    threadGroupSize: wholeNumber(groupSize, 'threadGroupSize'),
    numThreadGroups: wholeNumber(groups, 'numThreadGroups'),
    delaySeconds: positiveNumber(delay, 'delay', 0, true),
    startupIterations: wholeNumber(values['startup-iterations'], '--startup-iterations', 100),
    iterations: wholeNumber(values.iterations, '--iterations', scenario === 'albums' ? 1000 : 100),
    reviewReaders: wholeNumber(values['review-readers'], '--review-readers', scenario === 'reviews' ? 3 : 0),
    maxRetries: wholeNumber(values.retries, '--retries', 5),
  };
  return {
    title: `course ${scenario} ${groupSize}/${groups}/${delay} against ${baseUrl}`,
    run: (context) => runCourse(context, options),
  };
}

async function prepareCsv(out: string): Promise<string> {
  await mkdir(out, { recursive: true });
  return join(out, 'requests.csv');
}

async function chooseDialect(
  api: string | undefined,
  baseUrl: string,
  imagePath?: string,
  token?: string,
): Promise<AlbumApiDialect> {
  if (api === 'native') {
    // Every run creates albums, which the native API refuses without a signed-in user.
    if (!token) throw new UsageError('--api native needs --token <jwt>: its writes need a signed-in user');
    return nativeDialect(baseUrl, token);
  }
  if (api === 'course') {
    if (token) throw new UsageError('--token is for --api native: the course contract takes no token');
    return courseDialect(baseUrl, imagePath ? await readFile(imagePath) : DEFAULT_IMAGE);
  }
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

/**
 * The command line: Ctrl-C ends the run early (the report is still written). Exits with the run's code
 * (97 every request failed, 99 a threshold crossed); a command line it cannot run, or a file it cannot
 * read or write, is one line on stderr.
 */
export async function main(argv: string[]): Promise<void> {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  try {
    const result = await runCli(argv, abort.signal);
    process.exitCode = result?.exitCode ?? EXIT_CODES.passed;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`album-load: ${error.message} (usage: ${USAGE})`);
      process.exitCode = EXIT_CODES.usage;
    } else {
      // A system error (a missing --image, an --out that cannot be written) needs no stack; a bug does.
      const systemError = error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
      console.error(systemError ? `album-load: ${(error as Error).message}` : error);
      process.exitCode = 1;
    }
  }
}
