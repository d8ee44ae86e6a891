import fc from 'fast-check';
import { type CryptoKey, type JWK, type JWTPayload, SignJWT } from 'jose';

/**
 * Generators of forged, stale, misaddressed or misplaced tokens for the native API's signed-in routes. Each
 * carries at least one defect API Gateway's JWT authorizer refuses, so any answer but `401
 * {"message":"Unauthorized"}` is a bug, and nothing may change.
 */

/** The keys and names a forger works with: the issuer's real key (as a leak would give), and others. */
export interface Forge {
  issuer: string;
  clientId: string;
  /** The issuer's signing key, to make tokens whose only defect is in their claims or placement. */
  signingKey: CryptoKey;
  kid: string;
  /** The issuer's published key (public half), what an HMAC-with-the-public-key attack signs with. */
  publicJwk: JWK;
  /** A key the issuer never published. */
  foreignKey: CryptoKey;
  /** An album that exists, so a refused cover or review would otherwise have been accepted. */
  albumId: string;
}

/** How the token is signed: by the issuer's key, another RSA key, HMAC keyed with the public key, or not at all. */
type Signer = 'issuer' | 'foreign' | 'hs256-public-jwk' | 'hs256-public-n' | 'none';
/** Where the token travels: only the Authorization header is where API Gateway looks. */
type Placement =
  | { in: 'authorization'; scheme: string }
  | { in: 'query'; name: string }
  | { in: 'header'; name: string };

export interface TokenAttack {
  /** What kind of attack, then (after a colon) its details. */
  attack: string;
  route:
    | 'POST /albums'
    | 'POST /albums/{albumId}/cover'
    | 'POST /albums/{albumId}/reviews'
    | 'PATCH /albums/{albumId}'
    | 'DELETE /albums/{albumId}'
    | 'GET /albums/{albumId}/reviews/mine'
    | 'DELETE /albums/{albumId}/reviews/mine';
  signer: Signer;
  /** Claims over a valid set (`undefined` removes one); header fields over `{alg, kid}`. */
  claims: Record<string, unknown>;
  header: Record<string, unknown>;
  placement: Placement;
  /** What is done to the finished token: nothing, or a change after signing. */
  tamper: 'none' | 'payload' | 'signature' | 'truncate';
  /** Instead of any token: this text as the whole Authorization header. */
  garbage?: string;
}

const now = () => Math.floor(Date.now() / 1000);
const route = fc.constantFrom<TokenAttack['route']>(
  'POST /albums',
  'POST /albums/{albumId}/cover',
  'POST /albums/{albumId}/reviews',
  'PATCH /albums/{albumId}',
  'DELETE /albums/{albumId}',
  'GET /albums/{albumId}/reviews/mine',
  'DELETE /albums/{albumId}/reviews/mine',
);
const bearer: Placement = { in: 'authorization', scheme: 'Bearer ' };
const valid = {
  signer: 'issuer' as const,
  claims: {},
  header: {},
  placement: bearer,
  tamper: 'none' as const,
};
const seconds = (min: number, max: number) => fc.integer({ min, max });

/** One attack of each kind the issue names, with its details drawn at random. */
export function tokenAttacks(forge: Pick<Forge, 'issuer' | 'clientId' | 'kid'>): fc.Arbitrary<TokenAttack> {
  const kinds: Array<fc.Arbitrary<Omit<TokenAttack, 'route'>>> = [
    fc.constant({ ...valid, attack: 'no token', garbage: '' }),
    fc.constantFrom('none', 'None', 'NONE').map((alg) => ({
      ...valid,
      attack: `alg none: ${alg}`,
      signer: 'none' as const,
      header: { alg },
    })),
    fc.constantFrom<Signer>('hs256-public-jwk', 'hs256-public-n').map((signer) => ({
      ...valid,
      attack: `HS256 signed with the public key: ${signer}`,
      signer,
      header: { alg: 'HS256' },
    })),
    fc
      .oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 30 }))
      .filter((kid) => kid !== forge.kid)
      .chain((kid) =>
        fc.constantFrom<Signer>('issuer', 'foreign').map((signer) => ({
          ...valid,
          attack: `a kid the key set lacks: ${signer} key`,
          signer,
          header: { kid },
        })),
      ),
    fc.constant({ ...valid, attack: 'no kid', header: { kid: undefined } }),
    fc.constant({
      ...valid,
      attack: 'signed by a key the issuer never published, under its kid',
      signer: 'foreign' as const,
    }),
    seconds(1, 10 * 365 * 86400).map((ago) => ({
      ...valid,
      attack: `expired: ${ago} s ago`,
      claims: { exp: now() - ago, iat: now() - ago - 3600 },
    })),
    seconds(60, 10 * 365 * 86400).map((ahead) => ({
      ...valid,
      attack: `not yet valid: for ${ahead} s`,
      claims: { nbf: now() + ahead },
    })),
    seconds(60, 86400).map((ahead) => ({
      ...valid,
      attack: `issued in the future: ${ahead} s from now`,
      claims: { iat: now() + ahead, exp: now() + ahead + 3600 },
    })),
    fc
      .oneof(
        fc.constantFrom(
          `${forge.issuer}/`,
          forge.issuer.replace('http://', 'https://'),
          forge.issuer.replace('localhost', '127.0.0.1'),
          forge.issuer.toUpperCase(),
          forge.issuer.replace(/\/auth$/, ''),
          'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_attacker',
        ),
        fc.webUrl(),
      )
      .filter((iss) => iss !== forge.issuer)
      .map((iss) => ({ ...valid, attack: `wrong issuer: ${iss}`, claims: { iss } })),
    fc
      .oneof(
        fc.constantFrom(`${forge.clientId} `, forge.clientId.toUpperCase(), 'another-client'),
        fc.string(),
      )
      .filter((audience) => audience !== forge.clientId)
      .chain((audience) =>
        fc.constantFrom(
          { ...valid, attack: `wrong audience: aud ${JSON.stringify(audience)}`, claims: { aud: audience } },
          // With an aud, client_id is not looked at, even when it names the right client.
          {
            ...valid,
            attack: `wrong audience: aud ${JSON.stringify(audience)}, right client_id`,
            claims: { aud: [audience] },
          },
          {
            ...valid,
            attack: `wrong audience: client_id ${JSON.stringify(audience)}`,
            claims: { client_id: audience },
          },
        ),
      ),
    fc.constant({
      ...valid,
      attack: 'wrong audience: neither aud nor client_id',
      claims: { client_id: undefined },
    }),
    fc.constantFrom('access_token', 'token', 'id_token', 'Authorization', 'authorization').map((name) => ({
      ...valid,
      attack: `a valid token in the query string: ${name}`,
      placement: { in: 'query', name } as Placement,
    })),
    fc
      .constantFrom('x-authorization', 'x-amz-security-token', 'cookie', 'proxy-authorization')
      .map((name) => ({
        ...valid,
        attack: `a valid token in another header: ${name}`,
        placement: { in: 'header', name } as Placement,
      })),
    fc.constantFrom('Basic ', 'Token ', 'Bearer:', 'Bearer  Bearer ').map((scheme) => ({
      ...valid,
      attack: `another scheme: ${JSON.stringify(scheme)}`,
      placement: { in: 'authorization', scheme } as Placement,
    })),
    fc.constantFrom<TokenAttack['tamper']>('payload', 'signature', 'truncate').map((tamper) => ({
      ...valid,
      attack: `a valid token tampered with: ${tamper}`,
      tamper,
    })),
    fc
      .oneof(
        fc.string({ maxLength: 200 }),
        fc.base64String({ maxLength: 200 }).map((text) => `Bearer ${text}`),
        fc
          .array(fc.base64String({ minLength: 1, maxLength: 60 }), { minLength: 3, maxLength: 3 })
          .map((parts) => `Bearer ${parts.join('.').replaceAll('=', '')}`),
        fc.constantFrom('Bearer', 'Bearer ', 'Bearer ..', 'Bearer e30.e30.', 'null', 'undefined'),
      )
      // What fetch cannot send as a header value, no client can either.
      .filter((text) => /^[\t\x20-\x7e]*$/.test(text) && text.trim() === text)
      .map((garbage) => ({ ...valid, attack: `garbage: ${JSON.stringify(garbage)}`, garbage })),
  ];
  return fc.tuple(route, fc.oneof(...kinds)).map(([chosen, kind]) => ({ ...kind, route: chosen }));
}

/** The request an attack sends: path and headers, its body being the route's valid one. */
export async function forgedRequest(
  forge: Forge,
  attack: TokenAttack,
): Promise<{ path: string; headers: Record<string, string> }> {
  const path = attack.route.replace(/^[A-Z]+ /, '').replace('{albumId}', forge.albumId);
  if (attack.garbage !== undefined) {
    return { path, headers: attack.garbage ? { authorization: attack.garbage } : {} };
  }
  const token = tampered(await signedToken(forge, attack), attack.tamper);
  const placement = attack.placement;
  if (placement.in === 'authorization')
    return { path, headers: { authorization: `${placement.scheme}${token}` } };
  if (placement.in === 'header') {
    const value = placement.name === 'cookie' ? `access_token=${token}` : `Bearer ${token}`;
    return { path, headers: { [placement.name]: value } };
  }
  return { path: `${path}?${placement.name}=${encodeURIComponent(token)}`, headers: {} };
}

async function signedToken(forge: Forge, attack: TokenAttack): Promise<string> {
  const payload = withoutUndefined({
    sub: '7b82492b-fd70-804f-9d75-19221fa751db',
    username: 'mallory',
    client_id: forge.clientId,
    token_use: 'access',
    iss: forge.issuer,
    iat: now(),
    exp: now() + 600,
    ...attack.claims,
  }) as JWTPayload;
  const header = withoutUndefined({ alg: 'RS256', kid: forge.kid, typ: 'JWT', ...attack.header });
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  switch (attack.signer) {
    case 'none':
      return `${encode(header)}.${encode(payload)}.`;
    case 'hs256-public-jwk':
    case 'hs256-public-n': {
      const secret =
        attack.signer === 'hs256-public-jwk' ? JSON.stringify(forge.publicJwk) : String(forge.publicJwk.n);
      return new SignJWT(payload)
        .setProtectedHeader({ ...header, alg: 'HS256' })
        .sign(new TextEncoder().encode(secret));
    }
    default:
      return new SignJWT(payload)
        .setProtectedHeader({ ...header, alg: String(header.alg) })
        .sign(attack.signer === 'issuer' ? forge.signingKey : forge.foreignKey);
  }
}

/** The token changed after signing: another `sub` in its payload, a flipped signature, or cut short. */
function tampered(token: string, tamper: TokenAttack['tamper']): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  switch (tamper) {
    case 'payload': {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const changed = Buffer.from(JSON.stringify({ ...claims, sub: 'somebody-else' })).toString('base64url');
      return `${header}.${changed}.${signature}`;
    }
    case 'signature': {
      const bytes = Buffer.from(signature, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      return `${header}.${payload}.${bytes.toString('base64url')}`;
    }
    case 'truncate':
      return token.slice(0, token.length - 10);
    default:
      return token;
  }
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
