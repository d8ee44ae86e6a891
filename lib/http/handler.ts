import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../observability.js';
import { type HttpErrorsOptions, httpErrors } from './errors.js';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Wraps an API Gateway HTTP API handler with the middlewares every route shares: Lambda context in the
 * logs and named errors mapped to JSON responses. Routes add their own (e.g. `jsonBody()`) with `.use`.
 *
 * @example
 * export const handler = httpHandler(async (event) => json(200, { ok: true }));
 */
export function httpHandler(handler: HttpHandler, errors: Partial<HttpErrorsOptions> = {}) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(handler)
    .use(injectLambdaContext(logger))
    .use(httpErrors(errors));
}
