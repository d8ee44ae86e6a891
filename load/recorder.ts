import { createWriteStream, type WriteStream } from 'node:fs';
import * as hdr from 'hdr-histogram-js';
import type { FailureCause } from './http.js';

export interface TypeSummary {
  type: string;
  count: number;
  ok: number;
  /** Requests that failed, answered with an error status or not answered at all. */
  failed: number;
  /**
   * Of the failed, those no answer came for (refused, reset, timed out): as k6 and autocannon do, they are
   * kept out of the latencies and the throughput, which measure the server's answers.
   */
  unanswered: number;
  /** Answers per second. */
  throughput: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  minMs: number;
  maxMs: number;
}

export interface SecondSummary {
  second: number;
  /** Requests answered in the second (an error status included). */
  completed: number;
  /** Requests that failed in the second, answered or not. */
  errors: number;
  p99Ms: number;
  /** Whether the second falls in the warm-up, whose requests the statistics leave out. */
  warmup: boolean;
}

/** Failed requests of one cause, with what the first of them said (a body's start or an error). */
export interface FailureSummary {
  cause: FailureCause;
  count: number;
  /** Share of the measured requests, 0–1. */
  share: number;
  example: string;
}

/** One request type's latency by percentile, for the HDR plot: [percentile, ms] pairs. */
export interface LatencyDistribution {
  type: string;
  points: Array<[number, number]>;
}

/** One of a run's slowest requests: what it was, how long it took, and the id its server gave it. */
export interface SlowRequest {
  type: string;
  url: string;
  latencyMs: number;
  status: number;
  /** `apigw-requestid`: the request's correlation id in the service's logs, and its key in the local history. */
  requestId?: string;
  /** The request in the local stack's request history (`/__requests/<id>`), when the target keeps one. */
  historyUrl?: string;
}

/** Where a request went, and the id its server gave it. */
export interface Answered {
  url: string;
  requestId?: string;
}

/** How many of the slowest requests a run keeps for its report. */
export const SLOWEST_KEPT = 10;

export interface RunSummary {
  startedAt: string;
  wallTimeSeconds: number;
  warmupSeconds: number;
  /** Requests started during the warm-up, left out of every statistic but the per-second chart. */
  warmupRequests: number;
  total: TypeSummary;
  byType: TypeSummary[];
  failures: FailureSummary[];
  /** Answers 429 Too Many Requests to measured requests, those retried past included. */
  throttled: number;
  /** The slowest measured requests that got an answer, slowest first. */
  slowest: SlowRequest[];
  perSecond: SecondSummary[];
  distribution: LatencyDistribution[];
}

// Latencies are recorded in microseconds: 3 significant digits keep percentiles within 0.1 %.
const newHistogram = () =>
  hdr.build({ useWebAssembly: false, numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1 });
type Histogram = ReturnType<typeof newHistogram>;

const toMs = (micros: number) => Math.round(micros) / 1000;

/**
 * A percentile within the recorded range: a histogram bucket's upper edge may lie above the largest
 * value recorded, and a table showing p99.9 above max would be wrong.
 */
const clampedPercentile = (histogram: Histogram, percentile: number) =>
  Math.min(
    histogram.maxValue,
    Math.max(histogram.minNonZeroValue, histogram.getValueAtPercentile(percentile)),
  );

/** A failed request's cause, and what it said: read only for the first failure of each cause. */
export interface Failure {
  cause: FailureCause;
  detail: string | (() => string);
}
const CSV_CHUNK = 64 * 1024;

/**
 * The one clock of a run, in epoch milliseconds, for the run's start and every request's: monotonic, so
 * `Date.now()`, which drifts apart from it in a long-lived process, never makes a request look as if it
 * started before the run (and so in its warm-up).
 */
export const runClock = (): number => performance.timeOrigin + performance.now();

const detailOf = (failure: Failure) =>
  typeof failure.detail === 'string' ? failure.detail : failure.detail();

/**
 * Latencies of one request type's answers, with the exact sum, min and max the histogram only approximates,
 * and a count of the requests no answer came for.
 */
class TypeStats {
  readonly histogram = newHistogram();
  ok = 0;
  failed = 0;
  unanswered = 0;
  sumMicros = 0;

  add(micros: number, ok: boolean): void {
    this.histogram.recordValue(micros);
    this.sumMicros += micros;
    if (ok) this.ok++;
    else this.failed++;
  }

  addUnanswered(): void {
    this.unanswered++;
  }

  merge(other: TypeStats): void {
    this.histogram.add(other.histogram);
    this.sumMicros += other.sumMicros;
    this.ok += other.ok;
    this.failed += other.failed;
    this.unanswered += other.unanswered;
  }

  percentileMs(percentile: number): number {
    return this.histogram.totalCount === 0 ? 0 : toMs(clampedPercentile(this.histogram, percentile));
  }

  summarise(type: string, seconds: number): TypeSummary {
    const answered = this.ok + this.failed;
    const empty = answered === 0;
    return {
      type,
      count: answered + this.unanswered,
      ok: this.ok,
      failed: this.failed + this.unanswered,
      unanswered: this.unanswered,
      throughput: seconds > 0 ? answered / seconds : 0,
      meanMs: empty ? 0 : toMs(this.sumMicros / answered),
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p95Ms: this.percentileMs(95),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      minMs: empty ? 0 : toMs(this.histogram.minNonZeroValue),
      maxMs: empty ? 0 : toMs(this.histogram.maxValue),
    };
  }

  /**
   * Points spaced evenly on the HDR plot's axis, log10(1 / (1 - p)): 0 at p0, 1 at p90, 2 at p99…, as
   * far as the sample reaches, ending at the maximum.
   */
  distribution(type: string): LatencyDistribution {
    const count = this.histogram.totalCount;
    const points: Array<[number, number]> = [];
    const reach = Math.log10(Math.max(count, 1));
    for (let x = 0; x < reach; x += 0.05) {
      const percentile = 100 * (1 - 10 ** -x);
      points.push([Number(percentile.toFixed(4)), this.percentileMs(percentile)]);
    }
    if (count > 0) points.push([Number((100 * (1 - 1 / count)).toFixed(4)), this.percentileMs(100)]);
    return { type, points };
  }
}

interface SecondStats {
  histogram: Histogram;
  completed: number;
  errors: number;
}

/**
 * Collects every request of a run: HDR histograms per request type and per second of the run, counts,
 * failures by cause, and (when given a path) a CSV line per request. Requests started in the warm-up
 * go to the CSV and the per-second chart only.
 *
 * @example
 * const recorder = new Recorder({ csvPath: 'out/requests.csv', warmupSeconds: 2 });
 * recorder.record(Date.now(), 'GET album', 3.2, 200, 0);
 * const summary = await recorder.finish();
 */
export class Recorder {
  readonly startedAt = runClock();
  readonly #warmupSeconds: number;
  readonly #warmupEndsAt: number;
  #byType = new Map<string, TypeStats>();
  #perSecond: Array<SecondStats | undefined> = [];
  #failures = new Map<FailureCause, { count: number; example: string }>();
  #total: TypeStats | undefined;
  #csv: WriteStream | undefined;
  #csvBuffer = '';
  #completed = 0;
  #errors = 0;
  #unanswered = 0;
  #firstFailure: { cause: FailureCause; example: string } | undefined;
  #warmupRequests = 0;
  #throttled = 0;
  /** The slowest answered requests, fastest first: the first is the one a slower request replaces. */
  #slowest: SlowRequest[] = [];

  constructor(options: { csvPath?: string; warmupSeconds?: number } = {}) {
    this.#warmupSeconds = options.warmupSeconds ?? 0;
    this.#warmupEndsAt = this.startedAt + this.#warmupSeconds * 1000;
    if (options.csvPath) {
      this.#csv = createWriteStream(options.csvPath);
      this.#csvBuffer = 'start_time_ms,type,latency_ms,status,retries,error,warmup\n';
    }
  }

  /** Requests finished, failed and not answered at all so far, warm-up included: for the progress line. */
  get progress(): { completed: number; errors: number; unanswered: number } {
    return { completed: this.#completed, errors: this.#errors, unanswered: this.#unanswered };
  }

  /** The first request that failed, warm-up included, and why: what a run that only fails stops with. */
  get firstFailure(): { cause: FailureCause; example: string } | undefined {
    return this.#firstFailure;
  }

  /** Counts one 429 answer to the request started at `startedAt`, whether or not a retry got past it. */
  countThrottled(startedAt: number): void {
    if (startedAt >= this.#warmupEndsAt) this.#throttled++;
  }

  /** Records a request answered with a success status. */
  record(
    startedAt: number,
    type: string,
    latencyMs: number,
    status: number,
    retries: number,
    answered?: Answered,
  ): void {
    this.#add(startedAt, type, latencyMs, status, retries, undefined, answered);
  }

  /** Records a request that failed (status 0 when no answer came), and why. */
  recordFailure(
    startedAt: number,
    type: string,
    latencyMs: number,
    status: number,
    retries: number,
    failure: Failure,
    answered?: Answered,
  ): void {
    this.#add(startedAt, type, latencyMs, status, retries, failure, answered);
  }

  #add(
    startedAt: number,
    type: string,
    latencyMs: number,
    status: number,
    retries: number,
    failure: Failure | undefined,
    answered?: Answered,
  ): void {
    const micros = Math.max(1, Math.round(latencyMs * 1000));
    const warmup = startedAt < this.#warmupEndsAt;
    // No answer, no latency of the server's to measure: how long a refusal or a timeout took is the client's.
    const unanswered = failure !== undefined && status === 0;
    this.#completed++;
    if (failure) {
      this.#errors++;
      this.#firstFailure ??= { cause: failure.cause, example: detailOf(failure) };
    }
    if (unanswered) this.#unanswered++;
    this.#addToSecond(startedAt + latencyMs, unanswered ? undefined : micros, failure !== undefined);
    if (warmup) this.#warmupRequests++;
    else {
      if (unanswered) this.#typeStats(type).addUnanswered();
      else this.#typeStats(type).add(micros, failure === undefined);
      if (failure) this.#countFailure(failure);
      if (!unanswered && answered) this.#keepIfSlow({ type, latencyMs, status, ...answered });
    }
    if (this.#csv) {
      this.#csvBuffer += `${Math.round(startedAt)},${type},${latencyMs.toFixed(3)},${status},${retries},${failure?.cause ?? ''},${warmup ? 1 : 0}\n`;
      // One write per 64 KiB rather than one per request: each write costs a system call.
      if (this.#csvBuffer.length >= CSV_CHUNK) this.#flushCsv();
    }
  }

  #keepIfSlow(request: SlowRequest): void {
    const slowest = this.#slowest;
    if (slowest.length >= SLOWEST_KEPT && request.latencyMs <= (slowest[0]?.latencyMs ?? 0)) return;
    const at = slowest.findIndex((kept) => kept.latencyMs > request.latencyMs);
    slowest.splice(at < 0 ? slowest.length : at, 0, request);
    if (slowest.length > SLOWEST_KEPT) slowest.shift();
  }

  #typeStats(type: string): TypeStats {
    let stats = this.#byType.get(type);
    if (!stats) {
      stats = new TypeStats();
      this.#byType.set(type, stats);
    }
    return stats;
  }

  /** Counts a request in the second it ended; `micros` is its latency, undefined when it got no answer. */
  #addToSecond(completedAt: number, micros: number | undefined, failed: boolean): void {
    const second = Math.max(0, Math.floor((completedAt - this.startedAt) / 1000));
    let bucket = this.#perSecond[second];
    if (!bucket) {
      bucket = { histogram: newHistogram(), completed: 0, errors: 0 };
      this.#perSecond[second] = bucket;
    }
    if (micros !== undefined) {
      bucket.histogram.recordValue(micros);
      bucket.completed++;
    }
    if (failed) bucket.errors++;
  }

  #countFailure(failure: Failure): void {
    const counted = this.#failures.get(failure.cause);
    if (counted) counted.count++;
    else this.#failures.set(failure.cause, { count: 1, example: detailOf(failure) });
  }

  #flushCsv(): void {
    this.#csv?.write(this.#csvBuffer);
    this.#csvBuffer = '';
  }

  /**
   * A percentile of every measured request, in ms, within the recorded min and max; 0 before `finish`
   * or when nothing was measured.
   */
  percentileMs(percentile: number): number {
    return this.#total?.percentileMs(percentile) ?? 0;
  }

  /** Closes the CSV and summarises the run. */
  async finish(): Promise<RunSummary> {
    const wallTimeSeconds = (runClock() - this.startedAt) / 1000;
    this.#flushCsv();
    await new Promise<void>((resolve) => (this.#csv ? this.#csv.end(resolve) : resolve()));
    const measuredSeconds = Math.max(0, wallTimeSeconds - this.#warmupSeconds);
    const total = new TypeStats();
    const byType = [...this.#byType.entries()].map(([type, stats]) => {
      total.merge(stats);
      return stats.summarise(type, measuredSeconds);
    });
    this.#total = total;
    const measured = total.ok + total.failed;
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      wallTimeSeconds,
      warmupSeconds: this.#warmupSeconds,
      warmupRequests: this.#warmupRequests,
      total: total.summarise('all', measuredSeconds),
      byType,
      failures: [...this.#failures.entries()]
        .map(([cause, { count, example }]) => ({ cause, count, share: count / measured, example }))
        .sort((a, b) => b.count - a.count),
      throttled: this.#throttled,
      slowest: this.#slowest.toReversed(),
      perSecond: this.#secondSummaries(),
      distribution: [
        total.distribution('all'),
        ...[...this.#byType.entries()].map(([type, stats]) => stats.distribution(type)),
      ],
    };
  }

  #secondSummaries(): SecondSummary[] {
    return Array.from(this.#perSecond, (bucket, second) => ({
      second,
      completed: bucket?.completed ?? 0,
      errors: bucket?.errors ?? 0,
      p99Ms: bucket?.completed ? toMs(clampedPercentile(bucket.histogram, 99)) : 0,
      warmup: second < this.#warmupSeconds,
    }));
  }
}
