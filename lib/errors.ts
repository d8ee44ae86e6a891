/** One problem with one field of a request, as reported to the client. */
export interface FieldError {
  field: string;
  message: string;
}

/** The request is malformed; `errors` names each offending field. Maps to 400. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** The request body is in a media type the endpoint does not accept. Maps to 415. */
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

/** The addressed resource does not exist. Maps to 404. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request names no signed-in user where one is needed. Maps to 401, as API Gateway's authorizer answers. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** The signed-in user may not do this to this resource (it is not theirs). Maps to 403. */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** The client's condition (`If-Match`) no longer holds: the resource changed since it read it. Maps to 412. */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
}

/** A dependency is temporarily unable to serve; the client may retry after `retryAfterSeconds`. Maps to 503. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
