import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type FieldError,
  ForbiddenError,
  MAX_LISTED_ERRORS,
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
  /** At most {@link MAX_LISTED_ERRORS}. */
  errors?: FieldError[];
  /** How many problems were found past those `errors` lists. */
  omittedErrors?: number;
}

export interface HttpErrorsOptions {
  logger: Pick<typeof defaultLogger, 'error' | 'warn'>;
  /** Shapes the reply; an API with another error dialect may also change the status. */
  present: (reply: ErrorReply) => { statusCode: number; body: unknown };
}

const defaults: Readonly<HttpErrorsOptions> = Object.freeze({
  logger: defaultLogger,
  present: ({ statusCode, message, errors, omittedErrors }: ErrorReply) => ({
    statusCode,
    body: errors ? { message, errors, ...(omittedErrors ? { omittedErrors } : {}) } : { message },
  }),
});

/** Longest message a reply carries: messages name what was wrong, and may quote what was sent. */
const MAX_MESSAGE_LENGTH = 2_000;

/**
 * Maps the domain's named errors to HTTP responses with a JSON body, in one place. Anything unexpected is
 * logged and answered with a 500 that reveals nothing internal. Every reply is bounded whatever the error
 * holds: at most {@link MAX_LISTED_ERRORS} field errors (the rest counted) and a message cut to a couple of
 * thousand characters, so it stays far under the 1 MB every response of ours is held to (lib/http/responses.ts).
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
      const { statusCode, body } = present(bounded(reply));
      request.response = json(statusCode, body, headers);
    },
  };
}

function bounded({ statusCode, message, errors }: ErrorReply): ErrorReply {
  const text = (value: string) =>
    value.length > MAX_MESSAGE_LENGTH ? `${value.slice(0, MAX_MESSAGE_LENGTH)}…` : value;
  const reply: ErrorReply = { statusCode, message: text(message) };
  if (!errors) return reply;
  reply.errors = errors
    .slice(0, MAX_LISTED_ERRORS)
    .map((error) => ({ field: text(error.field), message: text(error.message) }));
  if (errors.length > MAX_LISTED_ERRORS) reply.omittedErrors = errors.length - MAX_LISTED_ERRORS;
  return reply;
}
