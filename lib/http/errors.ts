import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError, UnavailableError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { logger as defaultLogger } from '../observability.js';
import { json } from './responses.js';

export interface HttpErrorsOptions {
  logger: Pick<typeof defaultLogger, 'error' | 'warn'>;
}

const defaults: Readonly<HttpErrorsOptions> = Object.freeze({ logger: defaultLogger });

/**
 * Maps the domain's named errors to HTTP responses with a JSON body, in one place. Anything unexpected is
 * logged and answered with a 500 that reveals nothing internal.
 *
 * @example
 * middy(handler).use(httpErrors());
 */
export function httpErrors(
  options: Partial<HttpErrorsOptions> = {},
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const { logger } = { ...defaults, ...options };
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof ValidationError) {
        request.response = json(400, { message: error.message, errors: error.errors });
      } else if (error instanceof UnsupportedMediaTypeError) {
        request.response = json(415, { message: error.message });
      } else if (error instanceof NotFoundError) {
        request.response = json(404, { message: error.message });
      } else if (error instanceof UnavailableError) {
        logger.warn('Dependency unavailable', { error });
        request.response = json(
          503,
          { message: error.message },
          { 'retry-after': String(error.retryAfterSeconds) },
        );
      } else {
        logger.error('Unhandled error', { error });
        request.response = json(500, { message: 'Internal server error' });
      }
    },
  };
}
