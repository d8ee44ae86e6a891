import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../../lib/errors.js';
import { callerOf } from '../../../lib/http/caller.js';

const withClaims = (claims?: Record<string, unknown>) =>
  ({
    requestContext: claims === undefined ? {} : { authorizer: { jwt: { claims, scopes: null } } },
  }) as unknown as APIGatewayProxyEventV2;

describe('callerOf', () => {
  it('is the sub the authorizer put in the request context', () => {
    expect(callerOf(withClaims({ sub: 'b4d0e3bd-ca11-8a17-88d2-5d5983195475', iss: 'x' }))).toBe(
      'b4d0e3bd-ca11-8a17-88d2-5d5983195475',
    );
  });

  it('refuses a request without claims, or with a sub that names no user, as the authorizer would', () => {
    for (const event of [
      withClaims(),
      withClaims({}),
      withClaims({ sub: '' }),
      withClaims({ sub: 42 }),
      withClaims({ sub: 'x'.repeat(256) }),
    ]) {
      expect(() => callerOf(event)).toThrow(UnauthorizedError);
    }
  });
});
