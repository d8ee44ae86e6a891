import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

export interface LocalOpenIdProviderOptions {
  /** The issuer URL, as the tokens' `iss` and the authorizer's `issuerUrl` name it (`http://localhost:3000/auth`). */
  issuer: string;
  /** The app client's id: the tokens' `client_id` and the id tokens' `aud`. */
  clientId: string;
  /** Where the signing key is kept, so tokens stay valid across restarts of the stack; made on first start. */
  keyFile: string;
  /** How long a token lasts (default an hour, as Cognito's access tokens). */
  tokenLifetimeSeconds?: number;
}

/** The OpenID provider of the local stack: signs tokens for named local users, as Cognito does for the pool's. */
export interface LocalOpenIdProvider {
  issuer: string;
  clientId: string;
  /** The path under which {@link LocalOpenIdProvider.handle} answers (the issuer URL's path). */
  pathPrefix: string;
  /** The public half of the signing key, as the JWKS publishes it. */
  publicKey: JWK;
  /** Answers one request under {@link LocalOpenIdProvider.pathPrefix}. */
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/** The answer of the token endpoint, in OAuth 2.0's shape. */
export interface TokenResponse {
  access_token: string;
  id_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const ALGORITHM = 'RS256';
const DEFAULT_LIFETIME_SECONDS = 3600;
/** Local user names: what a person would type in the page's picker or on the command line. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const FORM = /^application\/x-www-form-urlencoded\b/i;
/** The token endpoint's request bodies are a few fields; anything longer is refused unread. */
const MAX_FORM_BYTES = 4096;

/**
 * Starts the local OpenID provider: `/.well-known/openid-configuration`, the JWKS (`/.well-known/jwks.json`)
 * and a token endpoint (`/token`) under the issuer's path. The token endpoint signs in any named local user
 * with no password (`grant_type=password&username=alice`): this is a development stack, and what it checks
 * is the API's handling of tokens, not people. Each user's `sub` is a UUID derived from the name, so it is
 * the same on every start and every machine.
 *
 * @example
 * const provider = await createLocalOpenIdProvider({ issuer, clientId: 'album-service-local', keyFile });
 */
export async function createLocalOpenIdProvider(
  options: LocalOpenIdProviderOptions,
): Promise<LocalOpenIdProvider> {
  const signingKey = await loadOrCreateSigningKey(options.keyFile);
  const privateKey = await importJWK(signingKey, ALGORITHM);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicKey } = signingKey;
  const lifetime = options.tokenLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  const pathPrefix = new URL(options.issuer).pathname.replace(/\/$/, '');
  const discovery = {
    issuer: options.issuer,
    jwks_uri: `${options.issuer}/.well-known/jwks.json`,
    token_endpoint: `${options.issuer}/token`,
    grant_types_supported: ['password'],
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [ALGORITHM],
    token_endpoint_auth_methods_supported: ['none'],
    claims_supported: ['sub', 'username', 'client_id', 'aud', 'iss', 'exp', 'iat', 'token_use'],
  };

  const sign = (claims: JWTPayload, now: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, kid: signingKey.kid, typ: 'JWT' })
      .setIssuer(options.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .setJti(randomUUID())
      .sign(privateKey);

  /** Cognito's pair: an access token naming the client (what the API takes), an id token addressed to it. */
  const tokensFor = async (username: string): Promise<TokenResponse> => {
    const now = Math.floor(Date.now() / 1000);
    const sub = localUserSub(username);
    return {
      access_token: await sign(
        { sub, username, client_id: options.clientId, token_use: 'access', scope: 'openid' },
        now,
      ),
      id_token: await sign(
        { sub, aud: options.clientId, token_use: 'id', 'cognito:username': username },
        now,
      ),
      token_type: 'Bearer',
      expires_in: lifetime,
    };
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?', 1)[0]?.slice(pathPrefix.length) ?? '';
    // The page may be served from another origin than the provider (WEB_ORIGIN), as Cognito's is.
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '300',
      });
      response.end();
      return;
    }
    if (request.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(response, 200, discovery);
    }
    if (request.method === 'GET' && path === '/.well-known/jwks.json') {
      return json(response, 200, { keys: [publicKey] });
    }
    if (path === '/token') {
      if (request.method !== 'POST')
        return json(response, 405, { error: 'invalid_request' }, { allow: 'POST' });
      tokenRequest(request).then(
        (username) =>
          username instanceof TokenError
            ? json(response, 400, { error: username.code, error_description: username.message })
            : tokensFor(username).then((tokens) =>
                json(response, 200, tokens, { 'cache-control': 'no-store' }),
              ),
        () => response.destroy(),
      );
      return;
    }
    json(response, 404, { error: 'not_found', error_description: `no ${path} here` });
  };

  /** The user a token request names, or why it cannot be answered. */
  const tokenRequest = async (request: IncomingMessage): Promise<string | TokenError> => {
    if (!FORM.test(String(request.headers['content-type'] ?? ''))) {
      request.resume();
      return new TokenError('invalid_request', 'send the fields as application/x-www-form-urlencoded');
    }
    const body = await readUpTo(request, MAX_FORM_BYTES);
    if (!body) return new TokenError('invalid_request', `the request is over ${MAX_FORM_BYTES} bytes`);
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') !== 'password') {
      return new TokenError('unsupported_grant_type', 'grant_type must be password (a named local user)');
    }
    const clientId = form.get('client_id');
    if (clientId !== null && clientId !== options.clientId) {
      return new TokenError('invalid_client', `the only client is ${options.clientId}`);
    }
    const username = form.get('username') ?? '';
    if (!USER_NAME.test(username)) {
      return new TokenError(
        'invalid_request',
        'username must be 1 to 64 letters, digits or ._@- and start with a letter or digit',
      );
    }
    return username;
  };

  return { issuer: options.issuer, clientId: options.clientId, pathPrefix, publicKey, handle };
}

/**
 * The `sub` of a named local user: a UUID (RFC 9562 version 8, name-based) from the SHA-256 of the name, the
 * same on every start and machine, shaped like the UUIDs Cognito gives its users.
 *
 * @example
 * localUserSub('alice'); // always the same UUID
 */
export function localUserSub(username: string): string {
  const bytes = createHash('sha256').update(`album-service local user\n${username}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The body of a request, or undefined once it passes `limit` bytes (the rest is drained unkept). */
function readUpTo(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(length <= limit ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}

class TokenError {
  constructor(
    readonly code: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type',
    readonly message: string,
  ) {}
}

/** The RSA key kept in `keyFile` (a private JWK with its `kid`), made and written there the first time. */
async function loadOrCreateSigningKey(keyFile: string): Promise<JWK & { kid: string }> {
  try {
    return JSON.parse(await readFile(keyFile, 'utf8')) as JWK & { kid: string };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = await generateKeyPair(ALGORITHM, { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const key = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALGORITHM, use: 'sig' };
  await mkdir(dirname(keyFile), { recursive: true });
  await writeFile(keyFile, `${JSON.stringify(key)}\n`, { mode: 0o600 });
  return key;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}
