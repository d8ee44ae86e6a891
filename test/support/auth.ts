import type { LocalStack } from '@album-service/local';
import { localUserToken } from '@album-service/local/auth/local-user-token';

/** The local user test helpers act as unless a test names another (the owner of what they create). */
export const TEST_USER = 'test-user';

/** A bearer token for the named local user from the stack's OpenID provider; `sub` is the same for each name. */
export function tokenFor(stack: Pick<LocalStack, 'auth'>, user: string): Promise<string> {
  return localUserToken(stack.auth.issuer, user);
}

/** The `Authorization` header of a request made as the named local user. */
export async function signedInAs(
  stack: Pick<LocalStack, 'auth'>,
  user: string = TEST_USER,
): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await tokenFor(stack, user)}` };
}

/** The headers of a JSON request made as the named local user. */
export async function jsonAs(
  stack: Pick<LocalStack, 'auth'>,
  user: string = TEST_USER,
): Promise<Record<string, string>> {
  return { 'content-type': 'application/json', ...(await signedInAs(stack, user)) };
}
