import { createWriteStream, type WriteStream } from 'node:fs';
import * as hdr from 'hdr-histogram-js';

/** One request as the client saw it. */
export interface RequestRecord {
  /** When the request was meant to start (open loop) or started (closed loop), ms since the epoch. */
  startedAt: number;
  type: string;
  latencyMs: number;
  /** HTTP status of the last attempt; 0 when no response came back. */
  status: number;
  retries: number;
  ok: boolean;
}

export interface TypeSummary {
  type: string;
  count: number;
  ok: number;
  failed: number;
  throughput: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  minMs: number;
  maxMs: number;
}

export interface SecondSummary {
  second: number;
  completed: number;
  errors: number;
  p99Ms: number;
}

export interface RunSummary {
  startedAt: string;
  wallTimeSeconds: number;
  total: TypeSummary;
  byType: TypeSummary[];
  perSecond: SecondSummary[];
}

// Latencies are recorded in microseconds: 3 significant digits keep percentiles within 0.1 %.
const newHistogram = () =>
  hdr.build({ useWebAssembly: false, numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1 });
type Histogram = ReturnType<typeof newHistogram>;

const toMs = (micros: number) => Math.round(micros) / 1000;

/**
 * Collects every request of a run: HDR histograms per request type and per second of the run, counts,
 * and (when given a path) a CSV line per request.
 *
 * @example
 * const recorder = new Recorder({ csvPath: 'out/requests.csv' });
 * recorder.record({ startedAt: Date.now(), type: 'GET album', latencyMs: 3.2, status: 200, retries: 0, ok: true });
 * const summary = await recorder.finish();
 */
export class Recorder {
  readonly startedAt = Date.now();
  #byType = new Map<string, { histogram: Histogram; ok: number; failed: number }>();
  #perSecond = new Map<number, { histogram: Histogram; completed: number; errors: number }>();
  #csv: WriteStream | undefined;
  #completed = 0;
  #errors = 0;

  constructor(options: { csvPath?: string } = {}) {
    if (options.csvPath) {
      this.#csv = createWriteStream(options.csvPath);
      this.#csv.write('start_time_ms,type,latency_ms,status,retries\n');
    }
  }

  /** Requests completed and failed so far, for the progress line. */
  get progress(): { completed: number; errors: number } {
    return { completed: this.#completed, errors: this.#errors };
  }

  record(request: RequestRecord): void {
    const micros = Math.max(1, Math.round(request.latencyMs * 1000));
    let type = this.#byType.get(request.type);
    if (!type) {
      type = { histogram: newHistogram(), ok: 0, failed: 0 };
      this.#byType.set(request.type, type);
    }
    type.histogram.recordValue(micros);
    if (request.ok) type.ok++;
    else type.failed++;

    const second = Math.floor((request.startedAt + request.latencyMs - this.startedAt) / 1000);
    let bucket = this.#perSecond.get(second);
    if (!bucket) {
      bucket = { histogram: newHistogram(), completed: 0, errors: 0 };
      this.#perSecond.set(second, bucket);
    }
    bucket.histogram.recordValue(micros);
    bucket.completed++;
    this.#completed++;
    if (!request.ok) {
      bucket.errors++;
      this.#errors++;
    }
    this.#csv?.write(
      `${Math.round(request.startedAt)},${request.type},${request.latencyMs.toFixed(3)},${request.status},${request.retries}\n`,
    );
  }

  /** Closes the CSV and summarises the run. */
  async finish(): Promise<RunSummary> {
    const wallTimeSeconds = (Date.now() - this.startedAt) / 1000;
    await new Promise<void>((resolve) => (this.#csv ? this.#csv.end(resolve) : resolve()));
    const total = newHistogram();
    let ok = 0;
    let failed = 0;
    const byType = [...this.#byType.entries()].map(([type, data]) => {
      total.add(data.histogram);
      ok += data.ok;
      failed += data.failed;
      return summarise(type, data.histogram, data.ok, data.failed, wallTimeSeconds);
    });
    const lastSecond = Math.max(-1, ...this.#perSecond.keys());
    const perSecond = Array.from({ length: lastSecond + 1 }, (_, second) => {
      const bucket = this.#perSecond.get(second);
      return {
        second,
        completed: bucket?.completed ?? 0,
        errors: bucket?.errors ?? 0,
        p99Ms: bucket ? toMs(bucket.histogram.getValueAtPercentile(99)) : 0,
      };
    });
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      wallTimeSeconds,
      total: summarise('all', total, ok, failed, wallTimeSeconds),
      byType,
      perSecond,
    };
  }
}

function summarise(
  type: string,
  histogram: Histogram,
  ok: number,
  failed: number,
  seconds: number,
): TypeSummary {
  const count = ok + failed;
  const empty = count === 0;
  return {
    type,
    count,
    ok,
    failed,
    throughput: seconds > 0 ? count / seconds : 0,
    meanMs: empty ? 0 : toMs(histogram.mean),
    p50Ms: empty ? 0 : toMs(histogram.getValueAtPercentile(50)),
    p90Ms: empty ? 0 : toMs(histogram.getValueAtPercentile(90)),
    p99Ms: empty ? 0 : toMs(histogram.getValueAtPercentile(99)),
    p999Ms: empty ? 0 : toMs(histogram.getValueAtPercentile(99.9)),
    minMs: empty ? 0 : toMs(histogram.minNonZeroValue),
    maxMs: empty ? 0 : toMs(histogram.maxValue),
  };
}
