/**
 * A bearer token for a named local user from the local OpenID provider at `issuer`, found through its
 * discovery document as any OpenID client finds the token endpoint: the access token, which names the API's
 * client in `client_id` as Cognito's do.
 *
 * @example
 * const token = await localUserToken('http://localhost:3000/auth', 'alice');
 * await fetch(`${apiUrl}/albums`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
 */
export async function localUserToken(issuer: string, user: string): Promise<string> {
  const configuration = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!configuration.ok) {
    throw new Error(`the OpenID provider ${issuer} answered ${configuration.status} for its configuration`);
  }
  const { token_endpoint: tokenEndpoint } = (await configuration.json()) as { token_endpoint: string };
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: user }),
  });
  const answer = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !answer.access_token) {
    throw new Error(`no token for ${user}: ${answer.error_description ?? `status ${response.status}`}`);
  }
  return answer.access_token;
}
