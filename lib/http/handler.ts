import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { UnavailableError } from '../errors.js';
import { correlateRequest } from '../observability/correlation.js';
import { logger } from '../observability/logger.js';
import { serverTiming } from '../observability/server-timing.js';
import { tracer } from '../observability/tracer.js';
import { type HttpErrorsOptions, httpErrors } from './errors.js';
import { securityHeaders } from './security-headers.js';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Time kept back from the function's timeout to answer a request whose dependencies stalled. */
const ANSWER_IN_TIME_MS = 1_000;

/**
 * Wraps an API Gateway HTTP API handler with the middlewares every route shares: the invocation traced,
 * Lambda context and the request's correlation id in the logs, named errors mapped to JSON responses, and
 * the security headers and the time spent in the database and the queue (`Server-Timing`,
 * lib/observability/server-timing.ts) on every response (lib/http/security-headers.ts). A handler still waiting on a stalled dependency shortly
 * before the function's timeout is answered 503 with Retry-After, rather than killed (which API Gateway
 * would report as a bare 500). Routes add their own middlewares (e.g. `jsonBody()`) with `.use`.
 *
 * @example
 * export const handler = httpHandler(async (event) => json(200, { ok: true }));
 */
export function httpHandler(handler: HttpHandler, errors: Partial<HttpErrorsOptions> = {}) {
  return (
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>(handler, {
      timeoutEarlyInMillis: ANSWER_IN_TIME_MS,
      timeoutEarlyResponse: () => {
        throw new UnavailableError('The service could not answer in time', 1);
      },
    })
      // Responses stay out of the trace: they are the client's data, and some are large.
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(injectLambdaContext(logger))
      .use(correlateRequest())
      .use(serverTiming())
      // Before the errors' mapping, so that its after and onError run on the mapped error responses too.
      .use(securityHeaders())
      .use(httpErrors(errors))
  );
}
