import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';
import type { RequestHistory } from './request-history.js';

/** A route of the HTTP API, as serverless.yml declares it (`/albums/{albumId}`). */
export interface HttpRoute {
  method: string;
  path: string;
}

export interface ApiFrontOptions {
  port?: number;
  host?: string;
  routes: HttpRoute[];
  /** Where the function emulator (serverless-offline) serves the same routes. */
  upstreamPort: number;
  log?: (line: string) => void;
  /** Whether a request to the route (`POST /albums`) is within the stage's throttling (local/throttle.ts). */
  admit?: (routeKey: string) => boolean;
  /** Keeps each request with its hops, served at `/__requests` (local/request-history.ts). */
  history?: RequestHistory;
}

export interface ApiFront {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Paths under this prefix speak the course contract, whose errors are `{"msg": …}`. */
const COURSE_PREFIX = '/cs6650/';
/** Function responses are small JSON documents; anything past this is passed on without inspection. */
const INSPECTED_BODY_LIMIT = 1 << 20;
const RETRY_AFTER_SECONDS = 1;
const STACK_TRACE_KEY = Buffer.from('"stackTrace"');
/** How the front hands serverless-offline a request's id (local/serverless-plugins/request-ids.cjs). */
const REQUEST_ID_HEADER = 'x-local-request-id';

/**
 * The local API Gateway's front door, in front of serverless-offline, answering as API Gateway does where
 * the emulator does not: a function that throws, times out or cannot be loaded is `500 {"message":
 * "Internal Server Error"}` (the emulator answers 200 with the error and its stack trace), an emulator
 * that is down or restarting is `503 {"message":"Service Unavailable"}` with Retry-After, an unknown route
 * is a JSON 404 and a known path with another method a JSON 405, both in the dialect of the API the path
 * belongs to, as are the emulator's own refusals of requests it cannot parse (which API Gateway would pass
 * to the function). Everything else passes through untouched, streamed.
 *
 * @example
 * const front = await startApiFront({ port: 3000, routes, upstreamPort: offlinePort });
 */
export async function startApiFront(options: ApiFrontOptions): Promise<ApiFront> {
  const log = options.log ?? (() => undefined);
  const routes = options.routes.map((route) => ({
    method: route.method.toUpperCase(),
    key: `${route.method.toUpperCase()} ${route.path}`,
    pattern: routePattern(route.path),
  }));
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const server = createServer((request, response) => {
    // Each request's own id, as API Gateway gives it: to the function as requestContext.requestId (in
    // place of a client's header of the same name), and to the client as apigw-requestid.
    const requestId = randomBytes(11).toString('base64');
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader('apigw-requestid', requestId);
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const history = options.history;
    if (history) {
      if (request.method === 'GET' && history.serve(path, request, response)) return;
      history.start(requestId, request.method ?? 'GET', path);
      response.on('finish', () => history.finish(requestId, response.statusCode));
    }
    const matching = routes.filter((route) => route.pattern.test(path));
    // Preflights are the emulator's to answer from the declared CORS settings.
    if (request.method !== 'OPTIONS') {
      if (matching.length === 0) return answer(response, path, 404, 'Not Found');
      if (!matching.some((route) => route.method === request.method)) {
        const allow = [...new Set(matching.map((route) => route.method))].join(', ');
        return answer(response, path, 405, `Method ${request.method} is not allowed here; use ${allow}`, {
          allow,
        });
      }
      // API Gateway's own answer over the limit, in every dialect.
      const route = matching.find((candidate) => candidate.method === request.method);
      if (route && options.admit && !options.admit(route.key))
        return answerJson(response, 429, { message: 'Too Many Requests' });
    }
    pass(request, response, path, options.upstreamPort, agent, log, (functionMs) =>
      history?.hop(requestId, 'function', functionMs),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function pass(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  upstreamPort: number,
  agent: Agent,
  log: (line: string) => void,
  onAnswer: (functionMs: number) => void,
): void {
  const sentAt = performance.now();
  const upstream = forward({
    host: '127.0.0.1',
    port: upstreamPort,
    method: request.method,
    path: request.url,
    // Uncompressed from the emulator: compressing on loopback costs CPU, and its errors must be readable.
    headers: { ...request.headers, 'accept-encoding': 'identity' },
    agent,
  });
  upstream.on('response', (answerFromEmulator) => {
    // The function's time (the emulator's, to its answer's headers) beside whatever the function reports.
    const functionMs = performance.now() - sentAt;
    onAnswer(functionMs);
    const timings = [answerFromEmulator.headers['server-timing'], `function;dur=${functionMs.toFixed(1)}`];
    answerFromEmulator.headers['server-timing'] = timings.filter(Boolean).join(', ');
    const status = answerFromEmulator.statusCode ?? 502;
    const isJson = /^application\/json/i.test(String(answerFromEmulator.headers['content-type'] ?? ''));
    const length = Number(answerFromEmulator.headers['content-length'] ?? 0);
    if (!isJson || length > INSPECTED_BODY_LIMIT) {
      response.writeHead(status, answerFromEmulator.headers);
      answerFromEmulator.pipe(response);
      return;
    }
    readBody(answerFromEmulator).then(
      (body) => {
        const failure = lambdaFailure(body);
        if (failure) {
          log(`Function failed: ${failure}`);
          answerJson(response, 500, { message: 'Internal Server Error' });
          return;
        }
        const refusal = status >= 400 ? emulatorRefusal(body) : undefined;
        if (refusal) {
          answer(response, path, status, refusal);
          return;
        }
        const { 'transfer-encoding': _chunked, ...headers } = answerFromEmulator.headers;
        response.writeHead(status, { ...headers, 'content-length': String(body.length) });
        response.end(body);
      },
      () => response.destroy(),
    );
  });
  upstream.on('error', (error) => {
    log(`API front: the function emulator did not answer (${error.message})`);
    if (response.headersSent) response.destroy();
    else
      answerJson(
        response,
        503,
        { message: 'Service Unavailable' },
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
  });
  request.on('error', () => upstream.destroy());
  request.pipe(upstream);
}

/**
 * The emulator reports a function that threw or timed out as a Lambda error document
 * (`{errorMessage, errorType, stackTrace}`); returns its message, or undefined for a real response.
 */
function lambdaFailure(body: Buffer): string | undefined {
  // Every response passes here: only a document naming a stack trace is worth parsing.
  if (body.length === 0 || body[0] !== 0x7b || !body.includes(STACK_TRACE_KEY)) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (typeof parsed.errorType !== 'string' || !Array.isArray(parsed.stackTrace)) return undefined;
    return `${parsed.errorType}: ${String(parsed.errorMessage)}`;
  } catch {
    return undefined;
  }
}

/**
 * serverless-offline's HTTP server refuses some requests before any function sees them (a content type it
 * cannot parse, a malformed percent-encoding), in its own `{statusCode, error, message}` shape; returns the
 * message, or undefined for a function's own answer.
 */
function emulatorRefusal(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(parsed).sort().join();
    return keys === 'error,message,statusCode' && typeof parsed.message === 'string'
      ? parsed.message
      : undefined;
  } catch {
    return undefined;
  }
}

function answer(
  response: ServerResponse,
  path: string,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  answerJson(response, status, path.startsWith(COURSE_PREFIX) ? { msg: message } : { message }, headers);
}

function answerJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** `/albums/{albumId}` → a pattern matching one non-empty segment where each parameter stands. */
function routePattern(path: string): RegExp {
  const escaped = path
    .split(/\{[^}]+\}/)
    .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}$`);
}
