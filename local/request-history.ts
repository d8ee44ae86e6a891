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
  method: string;
  path: string;
  startedAt: string;
  status?: number;
  durationMs?: number;
  hops: RequestHop[];
}

export interface RequestHistory {
  /** Opens the record of a request as it arrives. */
  start(id: string, method: string, path: string): void;
  /** Adds a step to a request's record, timed from its arrival. */
  hop(id: string, name: string, durationMs?: number): void;
  /** Closes a request's record once its answer is sent. */
  finish(id: string, status: number): void;
  /** Reads a function's log line: one carrying a correlation id is a step of that request. */
  noteLogLine(line: string): void;
  /** The requests kept, newest first. */
  list(): RecordedRequest[];
  /** Serves the history at `/__requests.json` and its page at `/__requests`; false for other paths. */
  serve(path: string, request: IncomingMessage, response: ServerResponse): boolean;
}

/** Only lines that can name a request are parsed. */
const CORRELATION_KEY = '"correlation_id"';

/**
 * A short history of the requests the local API front served (the last `limit`), each with its hops:
 * the front, the function's answer, and every log line of any function that carries the request's
 * correlation id (the review functions' `Review queued`, the consumer's `Applying review`), timed from the
 * request's arrival. Local only: `npm start` serves it at `/__requests`.
 *
 * @example
 * const history = createRequestHistory();
 * const front = await startApiFront({ routes, upstreamPort, history });
 */
export function createRequestHistory(limit = 200, now = () => performance.now()): RequestHistory {
  const requests = new Map<string, RecordedRequest & { arrivedAt: number }>();

  const history: RequestHistory = {
    start(id, method, path) {
      requests.set(id, { id, method, path, startedAt: new Date().toISOString(), hops: [], arrivedAt: now() });
      // A Map iterates in insertion order: the first key is the oldest request.
      if (requests.size > limit) requests.delete(requests.keys().next().value as string);
    },
    hop(id, name, durationMs) {
      const request = requests.get(id);
      if (!request) return;
      const atMs = round(now() - request.arrivedAt - (durationMs ?? 0));
      request.hops.push(
        durationMs === undefined ? { name, atMs } : { name, atMs, durationMs: round(durationMs) },
      );
    },
    finish(id, status) {
      const request = requests.get(id);
      if (!request) return;
      request.status = status;
      request.durationMs = round(now() - request.arrivedAt);
      request.hops.unshift({ name: 'front', atMs: 0, durationMs: request.durationMs });
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
      return [...requests.values()].reverse().map(({ arrivedAt: _arrivedAt, hops, ...request }) => ({
        ...request,
        // In the order they happened: a log line and the answer it belongs to arrive by different ways.
        hops: hops.toSorted((a, b) => a.atMs - b.atMs),
      }));
    },
    serve(path, _request, response) {
      if (path === '/__requests.json') {
        send(response, 'application/json', JSON.stringify(history.list()));
        return true;
      }
      if (path === '/__requests') {
        send(response, 'text/html; charset=utf-8', page(history.list()));
        return true;
      }
      return false;
    },
  };
  return history;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function send(response: ServerResponse, contentType: string, body: string): void {
  response.writeHead(200, {
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
      return `<tr><td>${escapeHtml(request.startedAt)}</td><td>${escapeHtml(request.method)} ${escapeHtml(request.path)}</td><td>${request.status ?? '…'}</td><td>${request.durationMs ?? '…'}</td><td><code>${escapeHtml(request.id)}</code></td><td>${hops}</td></tr>`;
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
