import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type FieldError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import { logger as defaultLogger } from '../observability/logger.js';
import { json } from './responses.js';

/** An error as the client will be told of it, before it is given its body's shape. */
export interface ErrorReply {
  statusCode: number;
  message: string;
  errors?: FieldError[];
}

export interface HttpErrorsOptions {
  logger: Pick<typeof defaultLogger, 'error' | 'warn'>;
  /** Shapes the reply; an API with another error dialect may also change the status. */
  present: (reply: ErrorReply) => { statusCode: number; body: unknown };
}

const defaults: Readonly<HttpErrorsOptions> = Object.freeze({
  logger: defaultLogger,
  present: ({ statusCode, message, errors }: ErrorReply) => ({
    statusCode,
    body: errors ? { message, errors } : { message },
  }),
});

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
  const { logger, present } = { ...defaults, ...options };
  return {
    onError: async (request) => {
      const { error } = request;
      let reply: ErrorReply;
      let headers: Record<string, string> = {};
      if (error instanceof ValidationError) {
        reply = { statusCode: 400, message: error.message, errors: error.errors };
      } else if (error instanceof UnsupportedMediaTypeError) {
        reply = { statusCode: 415, message: error.message };
      } else if (error instanceof UnauthorizedError) {
        // API Gateway's own answer when its authorizer refuses a request, word for word.
        reply = { statusCode: 401, message: 'Unauthorized' };
      } else if (error instanceof ForbiddenError) {
        reply = { statusCode: 403, message: error.message };
      } else if (error instanceof NotFoundError) {
        reply = { statusCode: 404, message: error.message };
      } else if (error instanceof PreconditionFailedError) {
        reply = { statusCode: 412, message: error.message };
      } else if (error instanceof UnavailableError) {
        logger.warn('Dependency unavailable', { error });
        reply = { statusCode: 503, message: error.message };
        headers = { 'retry-after': String(error.retryAfterSeconds) };
      } else {
        logger.error('Unhandled error', { error });
        reply = { statusCode: 500, message: 'Internal server error' };
      }
      const { statusCode, body } = present(reply);
      request.response = json(statusCode, body, headers);
    },
  };
}
