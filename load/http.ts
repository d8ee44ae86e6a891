import { Pool } from 'undici';
import type { Recorder } from './recorder.js';

export interface RequestSpec {
  method: 'GET' | 'POST';
  /** Absolute URL. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface Response {
  status: number;
  body: string;
}

/**
 * Keep-alive connection pools, one per origin, shared by every worker of a run.
 *
 * @example
 * const http = new HttpClient({ connections: 50 });
 * const { status } = await http.send({ method: 'GET', url: 'http://localhost:3000/albums' });
 */
export class HttpClient {
  #pools = new Map<string, Pool>();
  readonly #connections: number;
  readonly #timeoutMs: number;

  constructor(options: { connections: number; timeoutMs?: number }) {
    this.#connections = options.connections;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async send(spec: RequestSpec): Promise<Response> {
    const url = new URL(spec.url);
    let pool = this.#pools.get(url.origin);
    if (!pool) {
      pool = new Pool(url.origin, {
        connections: this.#connections,
        pipelining: 1,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      this.#pools.set(url.origin, pool);
    }
    const response = await pool.request({
      method: spec.method,
      path: `${url.pathname}${url.search}`,
      headers: spec.headers,
      body: spec.body,
    });
    return { status: response.statusCode, body: await response.body.text() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
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
 * last answer, with the number of retries it took.
 */
export async function timedRequest(
  http: HttpClient,
  recorder: Recorder,
  type: string,
  spec: RequestSpec,
  options: TimedRequestOptions,
): Promise<Response | undefined> {
  const startedAt = options.intendedStart ?? performance.timeOrigin + performance.now();
  let response: Response | undefined;
  let retries = 0;
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    retries = attempt;
    try {
      response = await http.send(spec);
      if (response.status < 400) break;
    } catch {
      response = undefined;
    }
  }
  const latencyMs = performance.timeOrigin + performance.now() - startedAt;
  const ok = response !== undefined && response.status < 400;
  recorder.record({ startedAt, type, latencyMs, status: response?.status ?? 0, retries, ok });
  return ok ? response : undefined;
}
