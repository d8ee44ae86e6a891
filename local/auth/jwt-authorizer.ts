import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** An HTTP API `jwt` authorizer as serverless.yml declares it (`provider.httpApi.authorizers`). */
export interface JwtAuthorizerSettings {
  issuerUrl: string;
  audience: string[];
}

/** Checks the `Authorization` header of one request: the token's claims when it passes, undefined when not. */
export type JwtAuthorizer = (authorization: string | undefined) => Promise<JWTPayload | undefined>;

/** The algorithms accepted: RSA signatures with SHA-256, what Cognito and the local provider sign with. */
const ALGORITHMS = ['RS256'];

/**
 * The local twin of API Gateway's JWT authorizer: takes the token from the `Authorization` header (bare or
 * after `Bearer `), finds the issuer's keys through its `/.well-known/openid-configuration`, and accepts the
 * token only when it carries a `kid` the key set has and a valid RS256 signature by that key, `iss` equal to
 * the issuer URL, an `aud` among the audiences (or, without `aud`, a `client_id` among them, as in Cognito's
 * access tokens), and `exp`, `nbf` and `iat` that hold now. Anything else, including `alg: none` and HMAC
 * tokens, is refused. Keys are fetched on first use and again when a token names an unknown `kid`.
 *
 * @example
 * const authorize = jwtAuthorizer({ issuerUrl, audience: ['album-service-local'] });
 * const claims = await authorize(request.headers.authorization); // undefined: answer 401
 */
export function jwtAuthorizer(settings: JwtAuthorizerSettings): JwtAuthorizer {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () => {
    keys ??= discoverKeys(settings.issuerUrl).catch((error: unknown) => {
      keys = undefined; // the issuer may not answer yet: ask again on the next request
      throw error;
    });
    return keys;
  };

  return async (authorization) => {
    const token = bearerToken(authorization);
    if (!token) return undefined;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, await keySet(), {
        issuer: settings.issuerUrl,
        algorithms: ALGORITHMS,
      });
      if (typeof protectedHeader.kid !== 'string') return undefined;
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) return undefined;
      return addressedTo(payload, settings.audience) ? payload : undefined;
    } catch {
      return undefined;
    }
  };
}

/** The token in an `Authorization` header: the whole value, or what follows `Bearer `. */
function bearerToken(authorization: string | undefined): string | undefined {
  const value = authorization?.trim();
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  return match ? match[1] : value;
}

/** API Gateway's audience rule: `aud` when the token has one, `client_id` only when it does not. */
function addressedTo(payload: JWTPayload, audience: string[]): boolean {
  if (payload.aud !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return audiences.some((entry) => audience.includes(entry));
  }
  return typeof payload.client_id === 'string' && audience.includes(payload.client_id);
}

/** The issuer's key set, found through its discovery document as API Gateway finds it. */
async function discoverKeys(issuerUrl: string): Promise<JWTVerifyGetKey> {
  const response = await fetch(`${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok)
    throw new Error(`the issuer ${issuerUrl} answered ${response.status} for its configuration`);
  const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: unknown };
  if (typeof jwksUri !== 'string') throw new Error(`the issuer ${issuerUrl} names no jwks_uri`);
  return createRemoteJWKSet(new URL(jwksUri));
}
