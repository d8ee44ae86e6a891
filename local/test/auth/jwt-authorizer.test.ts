import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JwtAuthorizer, jwtAuthorizer } from '../../auth/jwt-authorizer.js';
import { localUserToken } from '../../auth/local-user-token.js';
import { createLocalOpenIdProvider, type LocalOpenIdProvider, localUserSub } from '../../auth/provider.js';

const CLIENT_ID = 'album-service-test';
let dataDir: string;
let server: Server;
let issuer: string;
let provider: LocalOpenIdProvider;
let authorize: JwtAuthorizer;
let signingKey: JWK & { kid: string };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'album-auth-'));
  // The provider answers under the issuer's path on a server of its own here, as under the API's in the stack.
  server = createServer((request, response) => provider.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`;
  provider = await createLocalOpenIdProvider({
    issuer,
    clientId: CLIENT_ID,
    keyFile: join(dataDir, 'signing-key.json'),
  });
  authorize = jwtAuthorizer({ issuerUrl: issuer, audience: [CLIENT_ID] });
  signingKey = JSON.parse(await readFile(join(dataDir, 'signing-key.json'), 'utf8'));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the provider's own key, with the given claims over valid ones and the given header. */
async function signed(claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: localUserSub('mallory'), client_id: CLIENT_ID, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, ...header })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : now())
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now() + 600)
    .sign(await importJWK(signingKey, 'RS256'));
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the local OpenID provider', () => {
  it('publishes its configuration and key set, and signs a token for a named user', async () => {
    const configuration = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    expect(configuration).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      token_endpoint: `${issuer}/token`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const { keys } = (await (await fetch(configuration.jwks_uri)).json()) as { keys: JWK[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', kid: signingKey.kid, alg: 'RS256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d'); // the public half only

    const token = await localUserToken(issuer, 'alice');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: issuer,
      sub: localUserSub('alice'),
      username: 'alice',
      client_id: CLIENT_ID,
      token_use: 'access',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(await authorize(`Bearer ${token}`)).toMatchObject({ sub: localUserSub('alice') });
  });

  it('gives each name one stable sub, and different names different ones', () => {
    expect(localUserSub('alice')).toBe(localUserSub('alice'));
    expect(localUserSub('alice')).not.toBe(localUserSub('bob'));
    expect(localUserSub('alice')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('keeps its key across restarts, so earlier tokens stay valid', async () => {
    const token = await localUserToken(issuer, 'alice');
    const again = await createLocalOpenIdProvider({
      issuer,
      clientId: CLIENT_ID,
      keyFile: join(dataDir, 'signing-key.json'),
    });
    expect(again.publicKey).toEqual(provider.publicKey);
    expect(await authorize(token)).toBeDefined();
  });

  it.each([
    ['another grant type', 'grant_type=client_credentials&username=alice', 400, 'unsupported_grant_type'],
    ['no user name', 'grant_type=password', 400, 'invalid_request'],
    ['a user name with a space', 'grant_type=password&username=a%20b', 400, 'invalid_request'],
    ['another client', 'grant_type=password&username=alice&client_id=other', 400, 'invalid_client'],
    [
      'a body over 4 KiB',
      `grant_type=password&username=alice&pad=${'x'.repeat(5000)}`,
      400,
      'invalid_request',
    ],
  ])('refuses a token request with %s in OAuth’s error shape', async (_case, body, status, error) => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error, error_description: expect.any(String) });
  });

  it('refuses a token request that is not a form', async () => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: 'alice' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('the local JWT authorizer', () => {
  it('accepts a valid token bare or after Bearer, and one addressed by aud instead of client_id', async () => {
    const token = await signed();
    expect(await authorize(`Bearer ${token}`)).toBeDefined();
    expect(await authorize(`bearer ${token}`)).toBeDefined();
    expect(await authorize(token)).toBeDefined();
    expect(await authorize(`Bearer ${await signed({ client_id: undefined, aud: CLIENT_ID })}`)).toBeDefined();
  });

  /** The header a client sends with the token. */
  const bearer = async (token: Promise<string> | string) => `Bearer ${await token}`;

  it.each<[string, () => Promise<string | undefined>]>([
    ['no header', async () => undefined],
    ['an empty header', async () => ''],
    ['garbage', async () => 'Bearer not.a.token'],
    ['another scheme', async () => `Basic ${await signed()}`],
    [
      'alg none',
      () =>
        bearer(
          `${base64url({ alg: 'none', kid: signingKey.kid })}.${base64url({ iss: issuer, client_id: CLIENT_ID, sub: 'x', exp: now() + 600 })}.`,
        ),
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicKey } = signingKey;
        return bearer(
          new SignJWT({ sub: 'x', client_id: CLIENT_ID })
            .setProtectedHeader({ alg: 'HS256', kid: signingKey.kid })
            .setIssuer(issuer)
            .setIssuedAt()
            .setExpirationTime('10m')
            .sign(new TextEncoder().encode(JSON.stringify(publicKey))),
        );
      },
    ],
    ['a kid the key set lacks', () => bearer(signed({}, { kid: 'not-a-key-of-the-issuer' }))],
    ['no kid', () => bearer(signed({}, { kid: undefined }))],
    [
      'a key the issuer never published, with its kid',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return bearer(
          new SignJWT({ sub: 'x', client_id: CLIENT_ID })
            .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid })
            .setIssuer(issuer)
            .setIssuedAt()
            .setExpirationTime('10m')
            .sign(privateKey),
        );
      },
    ],
    ['an expired token', () => bearer(signed({ iat: now() - 7200, exp: now() - 3600 }))],
    ['a token not yet valid', () => bearer(signed({ nbf: now() + 3600 }))],
    ['a token issued in the future', () => bearer(signed({ iat: now() + 3600, exp: now() + 7200 }))],
    ['another issuer', () => bearer(signed({ iss: 'https://issuer.example/other' }))],
    ['another audience', () => bearer(signed({ aud: 'another-client', client_id: CLIENT_ID }))],
    ['another client', () => bearer(signed({ client_id: 'another-client' }))],
    ['no audience at all', () => bearer(signed({ client_id: undefined }))],
  ])('refuses %s', async (_case, header) => {
    expect(await authorize(await header())).toBeUndefined();
  });

  it('refuses everything, rather than failing, while the issuer does not answer', async () => {
    const unreachable = jwtAuthorizer({ issuerUrl: 'http://127.0.0.1:9/auth', audience: [CLIENT_ID] });
    expect(await unreachable(`Bearer ${await signed()}`)).toBeUndefined();
  });
});
