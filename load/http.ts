import { type Dispatcher, Pool } from 'undici';
import { type Failure, type Recorder, runClock } from './recorder.js';
import { Response, requestBytes, WirePool } from './wire.js';

export { Response };

export interface RequestSpec {
  method: 'GET' | 'POST';
  /** Absolute URL. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Why a request failed, as the failure table groups it: an HTTP status or what happened to the connection. */
/** Why a request failed: its last answer's status, `throttled` for API Gateway's 429, or why none came. */
export type FailureCause =
  | `HTTP ${number}`
  | 'throttled'
  | 'timeout'
  | 'connection refused'
  | 'connection reset'
  | 'other';

/** API Gateway's answer over a stage's or route's throttling: a cause of its own, retried or not. */
const TOO_MANY_REQUESTS = 429;

const CAUSE_BY_CODE: Record<string, FailureCause> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
};

/**
 * The failure cause of a request that got no answer, from the error's code.
 *
 * @example
 * causeOfError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })); // 'connection refused'
 */
export function causeOfError(error: unknown): FailureCause {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (typeof code === 'string' && CAUSE_BY_CODE[code]) || 'other';
}

/** A request as it is sent, worked out once per spec: runs reuse one spec for every request. */
type Prepared = { wire: WirePool; bytes: Buffer } | { pool: Pool; options: Dispatcher.DispatchOptions };

/**
 * Collects one answer for a promise. Undici's dispatch handler interface, rather than `pool.request`,
 * spares a stream and its buffers per request, which is most of the client's cost at high rates.
 */
class Collector implements Dispatcher.DispatchHandler {
  #status = 0;
  #chunks: Buffer[] = [];
  #requestId: string | undefined;

  constructor(
    readonly resolve: (response: Response) => void,
    readonly reject: (error: Error) => void,
  ) {}

  // Undici takes a handler for its current interface only when it has this method.
  onRequestStart(): void {}

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.#status = status;
    const requestId = headers['apigw-requestid'];
    this.#requestId = typeof requestId === 'string' ? requestId : undefined;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.resolve(new Response(this.#status, this.#chunks, this.#requestId));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.reject(error);
  }
}

/**
 * Keep-alive connection pools, one per origin, shared by every worker of a run. Plain HTTP goes
 * straight over sockets (see WirePool), which spends less CPU per request than undici and so leaves
 * more of the machine to the server under test; HTTPS goes through undici.
 *
 * @example
 * const http = new HttpClient({ connections: 50 });
 * const { status } = await http.send({ method: 'GET', url: 'http://localhost:3000/albums' });
 */
export class HttpClient {
  #wires = new Map<string, WirePool>();
  #pools = new Map<string, Pool>();
  #prepared = new WeakMap<RequestSpec, Prepared>();
  readonly #connections: number;
  readonly #timeoutMs: number;

  constructor(options: { connections: number; timeoutMs?: number }) {
    this.#connections = options.connections;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  send(spec: RequestSpec): Promise<Response> {
    const prepared = this.#prepare(spec);
    if ('wire' in prepared) return prepared.wire.send(prepared.bytes);
    return new Promise((resolve, reject) => {
      prepared.pool.dispatch(prepared.options, new Collector(resolve, reject));
    });
  }

  #prepare(spec: RequestSpec): Prepared {
    let prepared = this.#prepared.get(spec);
    if (!prepared) {
      const url = new URL(spec.url);
      prepared =
        url.protocol === 'http:'
          ? {
              wire: this.#wire(url.origin),
              bytes: requestBytes(url, spec.method, spec.headers ?? {}, spec.body),
            }
          : {
              pool: this.#pool(url.origin),
              options: {
                method: spec.method,
                path: `${url.pathname}${url.search}`,
                headers: spec.headers,
                body: spec.body,
              },
            };
      this.#prepared.set(spec, prepared);
    }
    return prepared;
  }

  #wire(origin: string): WirePool {
    let wire = this.#wires.get(origin);
    if (!wire) {
      wire = new WirePool(origin, { connections: this.#connections, timeoutMs: this.#timeoutMs });
      this.#wires.set(origin, wire);
    }
    return wire;
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.#connections,
        pipelining: 1,
        connectTimeout: this.#timeoutMs,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    for (const wire of this.#wires.values()) wire.close();
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy()));
  }
}

export interface TimedRequestOptions {
  /** Attempts after the first when the answer is a 4XX/5XX or no answer (the course protocol: 5). */
  maxRetries: number;
  /** When the request should have started; latency counts from here (coordinated-omission correction). */
  intendedStart?: number;
}

/**
 * Sends a request, retrying failures, and records it once: latency from the (intended) start to the
 * last answer, with the number of retries it took and, when it failed, why.
 */
export async function timedRequest(
  http: HttpClient,
  recorder: Recorder,
  type: string,
  spec: RequestSpec,
  options: TimedRequestOptions,
): Promise<Response | undefined> {
  // Late requests count from when they were due; a timer may also wake one a little early, and then
  // it counts from when it was sent.
  const startedAt = Math.min(options.intendedStart ?? Number.POSITIVE_INFINITY, runClock());
  let response: Response | undefined;
  let error: unknown;
  let retries = 0;
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    retries = attempt;
    try {
      response = await http.send(spec);
      if (response.status < 400) break;
      if (response.status === TOO_MANY_REQUESTS) recorder.countThrottled(startedAt);
    } catch (caught) {
      response = undefined;
      error = caught;
    }
  }
  const latencyMs = runClock() - startedAt;
  const status = response?.status ?? 0;
  const answered = { url: spec.url, requestId: response?.requestId };
  if (status > 0 && status < 400) {
    recorder.record(startedAt, type, latencyMs, status, retries, answered);
    return response;
  }
  recorder.recordFailure(startedAt, type, latencyMs, status, retries, failureOf(response, error), answered);
  return undefined;
}

/** A failed request's cause and what it said: the start of the body, or the error. */
function failureOf(response: Response | undefined, error: unknown): Failure {
  if (response)
    return {
      cause: response.status === TOO_MANY_REQUESTS ? 'throttled' : `HTTP ${response.status}`,
      detail: () => response.body.slice(0, 200),
    };
  const message = error instanceof Error ? error.message || error.name : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  return { cause: causeOfError(error), detail: typeof code === 'string' ? `${code}: ${message}` : message };
}
