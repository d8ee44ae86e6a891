import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One step of a request's path: when it happened after the request arrived, and how long it took if known. */
export interface RequestHop {
  name: string;
  atMs: number;
  durationMs?: number;
}

/** A request the local API front answered, with its path through the stack. */
export interface RecordedRequest {
  /** The request's id: `apigw-requestid`, and the correlation id of its log lines. */
  id: string;
  /** The X-Ray trace id the front gave it, which the function's calls to the emulators carry. */
  traceId?: string;
  method: string;
  path: string;
  startedAt: string;
  status?: number;
  durationMs?: number;
  hops: RequestHop[];
}

export interface RequestHistory {
  /** Opens the record of a request as it arrives, with the trace id its function runs under. */
  start(id: string, method: string, path: string, traceId?: string): void;
  /** Adds a step to a request's record, timed from its arrival; one with a duration began that long ago. */
  hop(id: string, name: string, durationMs?: number): void;
  /** Ties a trace to the requests whose work it does (a consumer's batch, the reviews of several requests). */
  follow(traceId: string, requestIds: string[]): void;
  /**
   * Adds a call an emulator served (a Data API statement, an S3 request) to the requests of the trace its
   * `X-Amzn-Trace-Id` header names; a call with no header, or of a trace no kept request has, is no one's.
   */
  noteCall(traceHeader: string | undefined, name: string, durationMs: number): void;
  /** Closes a request's record once its answer is sent. */
  finish(id: string, status: number): void;
  /** Reads a function's log line: one carrying a correlation id is a step of that request. */
  noteLogLine(line: string): void;
  /** The requests kept, newest first. */
  list(): RecordedRequest[];
  /** One request kept, by its id: among the newest, or among the slowest. */
  get(id: string): RecordedRequest | undefined;
  /**
   * Serves the history at `/__requests.json` and its page at `/__requests`, one request at
   * `/__requests/<id>` (its JSON at `/__requests/<id>.json`); false for other paths.
   */
  serve(path: string, request: IncomingMessage, response: ServerResponse): boolean;
}

/** Only lines that can name a request are parsed. */
const CORRELATION_KEY = '"correlation_id"';
const ONE_REQUEST = '/__requests/';
/** How many minutes back the slowest requests of each minute are kept. */
const SLOWEST_MINUTES = 10;

/** The trace an `X-Amzn-Trace-Id` header names: its `Root`, or the whole header when it has no fields. */
export function traceRoot(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /(?:^|;)\s*Root=([^;]+)/.exec(header)?.[1] ?? (header.includes('=') ? undefined : header);
}

/** A new X-Ray trace id (`1-<epoch seconds, hex>-<96 random bits, hex>`), as API Gateway and Lambda make. */
export function newTraceId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
}

type Kept = RecordedRequest & { arrivedAt: number };

/**
 * A short history of the requests the local API front served (the last `limit`, and the `slowestKept`
 * slowest of each of the last ten minutes, which a load run's report links to), each with its hops timed from the
 * request's arrival: the front, the function's answer, every call the function made to the Data API
 * (each statement, how long) or S3, tied by the trace id the call carried (`X-Amzn-Trace-Id`, which the AWS
 * SDK sends from the invocation's trace); the review's time in the queue and the consumer batch that
 * applied it, tied by the correlation id message attribute, with the batch's own statements; and every log
 * line of any function that carries the request's correlation id (`Review queued`, `Applying review`).
 * Local only: `npm start` serves it at `/__requests`.
 *
 * @example
 * const history = createRequestHistory();
 * const front = await startApiFront({ routes, upstreamPort, history });
 */
export function createRequestHistory(
  limit = 200,
  now = () => performance.now(),
  slowestKept = 20,
): RequestHistory {
  const requests = new Map<string, Kept>();
  /** The slowest requests of each recent minute, by the minute they arrived in. */
  const slowestByMinute = new Map<number, Map<string, Kept>>();
  /** Trace root to the ids of the requests it does work for; the oldest go first. */
  const traces = new Map<string, string[]>();
  const find = (id: string) => {
    const recent = requests.get(id);
    if (recent) return recent;
    for (const slowest of slowestByMinute.values()) {
      const slow = slowest.get(id);
      if (slow) return slow;
    }
    return undefined;
  };

  // Per minute, so that a load run's slowest are kept whatever an earlier run's were.
  const keepIfSlow = (request: Kept) => {
    const minute = Math.floor(request.arrivedAt / 60_000);
    for (const kept of slowestByMinute.keys()) {
      if (kept <= minute - SLOWEST_MINUTES) slowestByMinute.delete(kept);
    }
    let slowest = slowestByMinute.get(minute);
    if (!slowest) {
      slowest = new Map();
      slowestByMinute.set(minute, slowest);
    }
    if (slowest.size < slowestKept) {
      slowest.set(request.id, request);
      return;
    }
    let fastest: Kept | undefined;
    for (const kept of slowest.values()) {
      if (!fastest || (kept.durationMs ?? 0) < (fastest.durationMs ?? 0)) fastest = kept;
    }
    if (fastest && (request.durationMs ?? 0) > (fastest.durationMs ?? 0)) {
      slowest.delete(fastest.id);
      slowest.set(request.id, request);
    }
  };

  const history: RequestHistory = {
    start(id, method, path, traceId) {
      const request: Kept = {
        id,
        method,
        path,
        startedAt: new Date().toISOString(),
        hops: [],
        arrivedAt: now(),
      };
      if (traceId) request.traceId = traceId;
      requests.set(id, request);
      const root = traceRoot(traceId);
      if (root) history.follow(root, [id]);
      // A Map iterates in insertion order: the first key is the oldest request.
      if (requests.size > limit) requests.delete(requests.keys().next().value as string);
    },
    hop(id, name, durationMs) {
      const request = find(id);
      if (!request) return;
      const atMs = round(now() - request.arrivedAt - (durationMs ?? 0));
      request.hops.push(
        durationMs === undefined ? { name, atMs } : { name, atMs, durationMs: round(durationMs) },
      );
    },
    follow(traceId, requestIds) {
      const root = traceRoot(traceId) ?? traceId;
      traces.set(root, requestIds);
      // Enough for every kept request and a batch or two each; the oldest traces are done with.
      if (traces.size > 4 * (limit + SLOWEST_MINUTES * slowestKept))
        traces.delete(traces.keys().next().value as string);
    },
    noteCall(traceHeader, name, durationMs) {
      const root = traceRoot(traceHeader);
      if (!root) return;
      for (const id of traces.get(root) ?? []) history.hop(id, name, durationMs);
    },
    finish(id, status) {
      const request = requests.get(id);
      if (!request) return;
      request.status = status;
      request.durationMs = round(now() - request.arrivedAt);
      request.hops.unshift({ name: 'front', atMs: 0, durationMs: request.durationMs });
      keepIfSlow(request);
    },
    noteLogLine(line) {
      if (!line.includes(CORRELATION_KEY)) return;
      const start = line.indexOf('{');
      let parsed: { correlation_id?: unknown; function_name?: unknown; message?: unknown };
      try {
        parsed = JSON.parse(line.slice(start));
      } catch {
        return;
      }
      if (typeof parsed.correlation_id !== 'string') return;
      const fn = String(parsed.function_name ?? 'function').replace(/^.*-/, '');
      history.hop(parsed.correlation_id, `${fn}: ${String(parsed.message)}`);
    },
    list() {
      return [...requests.values()].reverse().map(shown);
    },
    get(id) {
      const request = find(id);
      return request && shown(request);
    },
    serve(path, _request, response) {
      if (path === '/__requests.json') {
        send(response, 200, 'application/json', JSON.stringify(history.list()));
        return true;
      }
      if (path === '/__requests') {
        send(response, 200, 'text/html; charset=utf-8', page(history.list()));
        return true;
      }
      if (!path.startsWith(ONE_REQUEST)) return false;
      const asJson = path.endsWith('.json');
      let id: string;
      try {
        id = decodeURIComponent(path.slice(ONE_REQUEST.length, asJson ? -'.json'.length : undefined));
      } catch {
        id = '';
      }
      const request = history.get(id);
      if (asJson) {
        const body = request ?? { message: `No request ${id} is kept any more` };
        send(response, request ? 200 : 404, 'application/json', JSON.stringify(body));
      } else send(response, request ? 200 : 404, 'text/html; charset=utf-8', page(request ? [request] : []));
      return true;
    },
  };
  return history;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A request as served: its hops in the order they happened, which differs from the order they were told in. */
function shown({ arrivedAt: _arrivedAt, hops, ...request }: Kept): RecordedRequest {
  return { ...request, hops: hops.toSorted((a, b) => a.atMs - b.atMs) };
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    // The page loads nothing: its style is inline, and it has no script.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  response.end(body);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(requests: RecordedRequest[]): string {
  const rows = requests
    .map((request) => {
      const hops = request.hops
        .map(
          (hop) =>
            `${escapeHtml(hop.name)} at ${hop.atMs} ms${hop.durationMs === undefined ? '' : `, ${hop.durationMs} ms`}`,
        )
        .join('<br>');
      return `<tr><td>${escapeHtml(request.startedAt)}</td><td>${escapeHtml(request.method)} ${escapeHtml(request.path)}</td><td>${request.status ?? '…'}</td><td>${request.durationMs ?? '…'}</td><td><a href="${ONE_REQUEST}${encodeURIComponent(request.id)}"><code>${escapeHtml(request.id)}</code></a></td><td>${hops}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Recent requests</title>
<style>body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}</style>
</head><body>
<h1>Recent requests</h1>
<p>The last ${requests.length} requests through the local API front, newest first, with each step of their path (as JSON: <a href="/__requests.json">/__requests.json</a>).</p>
<table><tr><th>arrived</th><th>request</th><th>status</th><th>ms</th><th>id (apigw-requestid)</th><th>hops</th></tr>
${rows}
</table></body></html>`;
}

/** An SQS record as the event source hands it to a function: what the history reads of one. */
interface QueuedRecord {
  attributes: { SentTimestamp?: string };
  messageAttributes: Record<string, { stringValue?: string } | undefined>;
}

/**
 * Invokes a queue's consumer with a batch under a trace of its own, and adds to each request whose review
 * is in the batch (by the correlation id message attribute `correlationAttribute`) its time in the queue,
 * the batch's statements (through the trace, see {@link RequestHistory.noteCall}) and the batch itself.
 *
 * @example
 * invoke: (event) => invokeBatch(history, 'applyReviews', 'correlationId', event.Records, (trace) => call(event, trace))
 */
export async function invokeBatch<T>(
  history: RequestHistory,
  functionName: string,
  correlationAttribute: string,
  records: QueuedRecord[],
  invoke: (traceId: string) => Promise<T>,
): Promise<T> {
  const traceId = newTraceId();
  const requestIds: string[] = [];
  const receivedAt = Date.now();
  for (const record of records) {
    const id = record.messageAttributes[correlationAttribute]?.stringValue;
    if (!id) continue;
    requestIds.push(id);
    const sentAt = Number(record.attributes.SentTimestamp);
    if (Number.isFinite(sentAt)) history.hop(id, 'queue: waited', Math.max(0, receivedAt - sentAt));
  }
  history.follow(traceId, requestIds);
  const startedAt = performance.now();
  let outcome = 'failed';
  try {
    const result = await invoke(traceId);
    outcome = 'done';
    return result;
  } finally {
    // Named as the functions' log lines are, without the service and stage.
    const name = `${functionName.replace(/^.*-/, '')}: batch of ${records.length} (${outcome})`;
    for (const id of requestIds) history.hop(id, name, performance.now() - startedAt);
  }
}
