import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnauthorizedError } from '../errors.js';
import { conforms } from '../schema-check.js';
import { UserId } from '../schemas.js';

/** Where API Gateway's JWT authorizer puts the claims of the token it accepted. */
interface WithJwtClaims {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
}

/**
 * The signed-in user who sent the request: the `sub` claim that API Gateway's JWT authorizer verified and
 * put in the request context (locally, the API front does the verifying). The function never reads the
 * token itself. Throws {@link UnauthorizedError} when there is none, as on a route the authorizer does not
 * guard, an event made by hand without claims, or a `sub` no user of ours has (longer than an owner or a
 * voter is stored).
 *
 * @example
 * const owner = callerOf(event); // 'local|ana'
 */
export function callerOf(event: APIGatewayProxyEventV2): string {
  const sub = (event as APIGatewayProxyEventV2 & WithJwtClaims).requestContext.authorizer?.jwt?.claims?.sub;
  if (!conforms(UserId, sub)) throw new UnauthorizedError('The request names no user');
  return sub;
}
