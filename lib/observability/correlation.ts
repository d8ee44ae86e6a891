import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { logger } from './logger.js';
import { tracer } from './tracer.js';

/** The annotation a request's trace is found by in X-Ray (`annotation.correlationId = "…"`). */
const CORRELATION_ANNOTATION = 'correlationId';

/**
 * A middy middleware that makes API Gateway's request id the request's correlation id: on every log line
 * (`correlation_id`), as an annotation of its trace, and, through the logger, on the review messages it
 * queues (lib/reviews/queue.ts). API Gateway returns the same id to the client in `apigw-requestid`.
 *
 * @example
 * export const handler = middy(route).use(injectLambdaContext(logger)).use(correlateRequest());
 */
export function correlateRequest(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: async ({ event }) => {
      const requestId = event.requestContext?.requestId;
      logger.setCorrelationId(requestId);
      if (requestId) tracer.putAnnotation(CORRELATION_ANNOTATION, requestId);
    },
  };
}
