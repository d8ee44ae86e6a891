import { randomBytes } from 'node:crypto';
import {
  Agent,
  type ClientRequest,
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathProblem } from './api-paths.js';
import type { JwtAuthorizer } from './auth/jwt-authorizer.js';
import { answerError, answerJson } from './error-replies.js';
import { readBody } from './read-body.js';
import { newTraceId, type RequestHistory } from './request-history.js';
import {
  API_GATEWAY_LIMITS,
  limitedServerOptions,
  limitRequests,
  type RequestLimiter,
  type RequestLimits,
} from './request-limits.js';

/** A route of the HTTP API, as serverless.yml declares it (`/albums/{albumId}`), with its authorizer's name. */
export interface HttpRoute {
  method: string;
  path: string;
  authorizer?: string;
}

/** Something else the stack serves on the API's port, under a path of its own (the local OpenID provider). */
export interface MountedHandler {
  pathPrefix: string;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

export interface ApiFrontOptions {
  port?: number;
  host?: string;
  routes: HttpRoute[];
  /** Where the function emulator (serverless-offline) serves the same routes. */
  upstreamPort: number;
  /** What a client may send (default: API Gateway's, {@link API_GATEWAY_LIMITS}); tests shorten the timeout. */
  limits?: Partial<RequestLimits>;
  /** The JWT authorizers the routes name, by name: a request they refuse never reaches a function. */
  authorizers?: Record<string, JwtAuthorizer>;
  mounts?: MountedHandler[];
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

/** Function responses are small JSON documents; anything past this is passed on without inspection. */
const INSPECTED_BODY_LIMIT = 1 << 20;
const RETRY_AFTER_SECONDS = 1;
const STACK_TRACE_KEY = Buffer.from('"stackTrace"');
const ROUTE_LIST_KEY = Buffer.from('"existingRoutes"');
/**
 * serverless-offline takes the claims it hands a function from this header when a request carries it; API
 * Gateway knows no such thing, so no caller may choose their own identity with it.
 */
const AUTHORIZER_OVERRIDE_HEADER = 'sls-offline-authorizer-override';
/** How the front hands serverless-offline a request's id (local/serverless-plugins/request-ids.cjs). */
const REQUEST_ID_HEADER = 'x-local-request-id';

/**
 * The local API Gateway's front door, in front of serverless-offline, answering as API Gateway does where
 * the emulator does not: a function that throws, times out or cannot be loaded is `500 {"message":
 * "Internal Server Error"}` (the emulator answers 200 with the error and its stack trace), an emulator
 * that is down or restarting is `503 {"message":"Service Unavailable"}` with Retry-After, an unknown route
 * is a JSON 404 and a known path with another method a JSON 405, both in the dialect of the API the path
 * belongs to, as are the emulator's own refusals of requests it cannot parse (which API Gateway would pass
 * to the function). A request gets API Gateway's limits (local/request-limits.ts: 30 s to arrive, 10 MiB of
 * body, every refusal in JSON, 30 s for the function to answer, else a JSON 503), and a path with dot
 * segments is refused before the emulator's router resolves it (local/api-paths.ts), which never gets to
 * answer with its list of routes. On a route with a JWT authorizer, a request whose token the authorizer
 * refuses is `401 {"message":"Unauthorized"}`, as API Gateway answers, before any function runs. Everything
 * else passes through untouched, streamed.
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
    authorize: route.authorizer === undefined ? undefined : authorizerNamed(options, route.authorizer),
  }));
  const mounts = options.mounts ?? [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const limits = { ...API_GATEWAY_LIMITS, ...options.limits };

  const server = createServer(limitedServerOptions(limits), (request, response) => {
    // Each request's own id, as API Gateway gives it: to the function as requestContext.requestId (in
    // place of a client's header of the same name), and to the client as apigw-requestid.
    const requestId = randomBytes(11).toString('base64');
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader('apigw-requestid', requestId);
    // Its trace, as API Gateway passes one to the integration: the function runs under it, and the AWS SDK
    // sends it with every call the function makes (local/lambda-trace-context.cjs).
    const traceId = newTraceId();
    request.headers['x-amzn-trace-id'] = traceId;
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const history = options.history;
    if (history) {
      if (request.method === 'GET' && history.serve(path, request, response)) return;
      history.start(requestId, request.method ?? 'GET', path, traceId);
      response.on('finish', () => history.finish(requestId, response.statusCode));
    }
    let forwarded: ClientRequest | undefined;
    if (limiter.refuse(request, response, path, () => forwarded?.destroy())) return;
    const problem = pathProblem(path);
    if (problem) return answerError(response, path, 400, `Bad Request: ${problem}`);
    const mount = mounts.find((m) => path === m.pathPrefix || path.startsWith(`${m.pathPrefix}/`));
    if (mount) return mount.handle(request, response);
    delete request.headers[AUTHORIZER_OVERRIDE_HEADER];
    const toFunction = () => {
      forwarded = pass(request, response, path, {
        port: options.upstreamPort,
        agent,
        answerTimeoutMs: limits.answerTimeoutMs,
        log,
        onAnswer: (functionMs) => history?.hop(requestId, 'function', functionMs),
      });
    };
    const matching = routes.filter((route) => route.pattern.test(path));
    // Preflights are the emulator's to answer from the declared CORS settings.
    if (request.method === 'OPTIONS') return toFunction();
    if (matching.length === 0) return answerError(response, path, 404, 'Not Found');
    const route = matching.find((candidate) => candidate.method === request.method);
    if (!route) {
      const allow = [...new Set(matching.map((candidate) => candidate.method))].join(', ');
      const message = `Method ${request.method} is not allowed here; use ${allow}`;
      return answerError(response, path, 405, message, { allow });
    }
    // API Gateway's own answer over the limit, in every dialect.
    if (options.admit && !options.admit(route.key)) {
      return answerJson(response, 429, JSON.stringify({ message: 'Too Many Requests' }));
    }
    if (!route.authorize) return toFunction();
    // The body waits, counted but unread, until the token is judged.
    request.pause();
    route.authorize(request.headers.authorization).then(
      (claims) => {
        if (claims) return toFunction();
        // API Gateway judges the token of a request it has received whole: a body over the limit is still
        // refused as too large (the limiter counts it as it drains).
        const refuse = () => {
          if (!response.headersSent) unauthorized(response, request.headers.authorization !== undefined);
        };
        if (request.readableEnded) refuse();
        else request.once('end', refuse);
        request.resume();
      },
      () => response.destroy(),
    );
  });
  const limiter: RequestLimiter = limitRequests(server, limits);
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

/** The function emulator a request is passed to, and how long it has to answer. */
interface Upstream {
  port: number;
  agent: Agent;
  answerTimeoutMs: number;
  log: (line: string) => void;
  /** Told the function's time, from the request passed on to its answer's headers. */
  onAnswer: (functionMs: number) => void;
}

function pass(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  { port, agent, answerTimeoutMs, log, onAnswer }: Upstream,
): ClientRequest {
  const sentAt = performance.now();
  const upstream = forward({
    host: '127.0.0.1',
    port,
    method: request.method,
    path: request.url,
    // Uncompressed from the emulator: compressing on loopback costs CPU, and its errors must be readable.
    headers: { ...request.headers, 'accept-encoding': 'identity' },
    agent,
  });
  // Counted, as API Gateway counts its integration timeout, from when the whole request has arrived.
  let overdue: NodeJS.Timeout | undefined;
  request.once('end', () => {
    overdue = setTimeout(
      () => upstream.destroy(new Error(`no answer within ${answerTimeoutMs} ms`)),
      answerTimeoutMs,
    );
  });
  response.once('close', () => clearTimeout(overdue));
  upstream.on('response', (answerFromEmulator) => {
    clearTimeout(overdue);
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
          answerJson(response, 500, JSON.stringify({ message: 'Internal Server Error' }));
          return;
        }
        const refusal = status >= 400 ? emulatorRefusal(body) : undefined;
        // Its own JWT check runs after the front's and only decodes: a refusal there is still API Gateway's.
        if (refusal && status === 401) return unauthorized(response, true);
        if (refusal) {
          answerError(response, path, status, refusal);
          return;
        }
        // The emulator's router answers a path no route of its own matches with every route it has.
        if (status === 404 && body.includes(ROUTE_LIST_KEY)) {
          answerError(response, path, 404, 'Not Found');
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
    // Refused by the front mid-request (too large, too slow): answered already, the emulator cut off.
    if (response.writableEnded) return;
    log(`API front: the function emulator did not answer (${error.message})`);
    if (response.headersSent) response.destroy();
    else
      answerJson(response, 503, JSON.stringify({ message: 'Service Unavailable' }), {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
  });
  request.on('error', () => upstream.destroy());
  request.pipe(upstream);
  return upstream;
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

/**
 * API Gateway's answer to a request its JWT authorizer refuses: the challenge names the refused token as
 * invalid when there was one (API Gateway adds an `error_description` the front does not imitate).
 */
function unauthorized(response: ServerResponse, hadToken: boolean): void {
  const challenge = hadToken ? 'Bearer scope="" error="invalid_token"' : 'Bearer';
  answerJson(response, 401, JSON.stringify({ message: 'Unauthorized' }), { 'www-authenticate': challenge });
}

function authorizerNamed(options: ApiFrontOptions, name: string): JwtAuthorizer {
  const authorizer = options.authorizers?.[name];
  if (!authorizer) throw new Error(`a route names the authorizer ${name}, which the API front was not given`);
  return authorizer;
}

/**
 * `/albums/{albumId}` → a pattern matching one non-empty segment where each parameter stands, and a trailing
 * slash as API Gateway routes it (`/docs/` as `/docs`).
 */
function routePattern(path: string): RegExp {
  const escaped = path
    .split(/\{[^}]+\}/)
    .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}${path.endsWith('/') ? '' : '/?'}$`);
}
