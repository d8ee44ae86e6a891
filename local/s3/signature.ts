import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Why S3 refuses a request, in its own terms: the status and the `<Code>` and `<Message>` of its XML error. */
export interface S3Refusal {
  status: number;
  code: string;
  message: string;
}

/** The secret access keys the store knows, by access key id. */
export type SecretKeys = ReadonlyMap<string, string>;

/** A request as the signature sees it: the raw path and query as sent, and the headers. */
export interface SignedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 's3';

const accessDenied: S3Refusal = { status: 403, code: 'AccessDenied', message: 'Access Denied' };
const signatureDoesNotMatch: S3Refusal = {
  status: 403,
  code: 'SignatureDoesNotMatch',
  message:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
};
const unknownAccessKey: S3Refusal = {
  status: 403,
  code: 'InvalidAccessKeyId',
  message: 'The AWS Access Key Id you provided does not exist in our records.',
};

/**
 * Verifies a request's SigV4 signature as S3 does, whether in the `Authorization` header (the SDK) or in
 * the query string (a presigned URL). An unsigned request is refused as anonymous. Returns S3's refusal,
 * or undefined when the signature is right. Expiry and clock skew are left to the emulator behind.
 *
 * @example
 * const refusal = verifyRequestSignature(request, new Map([['local', 'local']]));
 */
export function verifyRequestSignature(request: SignedRequest, keys: SecretKeys): S3Refusal | undefined {
  const [path = '', rawQuery = ''] = request.url.split(/\?(.*)/s);
  const query = parseQuery(rawQuery);
  const authorization = request.headers.authorization;
  const queryAlgorithm = query.find(([name]) => name === 'X-Amz-Algorithm')?.[1];
  if (authorization !== undefined && queryAlgorithm !== undefined) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message:
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    };
  }
  const signature =
    authorization !== undefined
      ? headerSignature(authorization, request.headers)
      : queryAlgorithm !== undefined
        ? querySignature(query)
        : accessDenied;
  if ('status' in signature) return signature;
  const secret = keys.get(signature.credential.accessKeyId);
  if (secret === undefined) return unknownAccessKey;
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(signature.fromQuery ? query.filter(([name]) => name !== 'X-Amz-Signature') : query),
    ...signature.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}`),
    '',
    signature.signedHeaders.join(';'),
    signature.payloadHash,
  ].join('\n');
  const stringToSign = [
    ALGORITHM,
    signature.amzDate,
    signature.credential.scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const expected = hmac(signingKey(secret, signature.credential), stringToSign).toString('hex');
  return sameSignature(expected, signature.signature) ? undefined : signatureDoesNotMatch;
}

/**
 * Verifies the signature of a browser upload's POST policy: the HMAC-SHA256 of the base64 policy under
 * the SigV4 signing key of the credential's access key, date and region. Returns S3's refusal, or
 * undefined when the signature is right.
 */
export function verifyPolicySignature(
  policy: string,
  credential: string,
  signature: string,
  keys: SecretKeys,
): S3Refusal | undefined {
  const scope = parseCredential(credential);
  if (!scope) {
    return { status: 400, code: 'InvalidArgument', message: `Invalid credential: ${credential}` };
  }
  const secret = keys.get(scope.accessKeyId);
  if (secret === undefined) return unknownAccessKey;
  const expected = hmac(signingKey(secret, scope), policy).toString('hex');
  return sameSignature(expected, signature) ? undefined : signatureDoesNotMatch;
}

interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  /** `date/region/s3/aws4_request`, as it appears in the string to sign. */
  scope: string;
}

interface ParsedSignature {
  credential: CredentialScope;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  fromQuery: boolean;
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, with `x-amz-date` and the payload hash. */
function headerSignature(authorization: string, headers: IncomingHttpHeaders): ParsedSignature | S3Refusal {
  const [algorithm = '', ...rest] = authorization.trim().split(' ');
  if (algorithm !== ALGORITHM) {
    return {
      status: 400,
      code: 'InvalidRequest',
      message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    };
  }
  const components = new Map(
    rest
      .join('')
      .split(',')
      .map((component) => {
        const equals = component.indexOf('=');
        return [component.slice(0, equals).trim(), component.slice(equals + 1).trim()] as const;
      }),
  );
  const credential = parseCredential(components.get('Credential') ?? '');
  const signedHeaders = components.get('SignedHeaders');
  const signature = components.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    return {
      status: 400,
      code: 'AuthorizationHeaderMalformed',
      message:
        'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    };
  }
  const amzDate = headerValue(headers['x-amz-date']);
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return {
      status: 403,
      code: 'AccessDenied',
      message: 'AWS authentication requires a valid Date or x-amz-date header',
    };
  }
  if (!amzDate.startsWith(credential.date)) {
    return {
      status: 400,
      code: 'AuthorizationHeaderMalformed',
      message: `The authorization header is malformed; Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    };
  }
  const payloadHash = headerValue(headers['x-amz-content-sha256']);
  if (!payloadHash) {
    return {
      status: 400,
      code: 'InvalidRequest',
      message: 'Missing required header for this request: x-amz-content-sha256',
    };
  }
  return {
    credential,
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash,
    fromQuery: false,
  };
}

/** The `X-Amz-*` parameters of a presigned URL; its payload is unsigned. */
function querySignature(query: Array<[string, string]>): ParsedSignature | S3Refusal {
  const parameter = (name: string) => query.find(([key]) => key === name)?.[1];
  const malformed = (message: string): S3Refusal => ({
    status: 400,
    code: 'AuthorizationQueryParametersError',
    message,
  });
  if (parameter('X-Amz-Algorithm') !== ALGORITHM) {
    return malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const credential = parseCredential(parameter('X-Amz-Credential') ?? '');
  const amzDate = parameter('X-Amz-Date');
  const signedHeaders = parameter('X-Amz-SignedHeaders');
  const signature = parameter('X-Amz-Signature');
  if (!credential || !amzDate || !signedHeaders || !signature || parameter('X-Amz-Expires') === undefined) {
    return malformed(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (!amzDate.startsWith(credential.date)) {
    return malformed(
      `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date.`,
    );
  }
  return {
    credential,
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash: parameter('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    fromQuery: true,
  };
}

/** `accessKeyId/yyyymmdd/region/s3/aws4_request`; anything else is not a credential S3 accepts. */
function parseCredential(credential: string): CredentialScope | undefined {
  const [accessKeyId, date, region, service, terminator, ...extra] = credential.split('/');
  if (!accessKeyId || !date || !/^\d{8}$/.test(date) || !region) return undefined;
  if (service !== SERVICE || terminator !== 'aws4_request' || extra.length > 0) return undefined;
  return { accessKeyId, date, region, scope: `${date}/${region}/${SERVICE}/aws4_request` };
}

/** Query parameters decoded as sent, in order; a malformed escape is kept as it is (it cannot match). */
function parseQuery(rawQuery: string): Array<[string, string]> {
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals === -1
        ? [safeDecode(pair), '']
        : [safeDecode(pair.slice(0, equals)), safeDecode(pair.slice(equals + 1))];
    });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** SigV4's canonical query: every parameter RFC 3986-encoded, sorted by name and then value. */
function canonicalQuery(query: Array<[string, string]>): string {
  return query
    .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join('&');
}

function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  return (headerValue(value) ?? '').trim().replace(/\s+/g, ' ');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Signing keys change once a day per region, so each is derived once and kept. */
const signingKeys = new Map<string, Buffer>();
const SIGNING_KEYS_KEPT = 64;

function signingKey(secret: string, scope: CredentialScope): Buffer {
  const cacheKey = `${secret}\n${scope.scope}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, scope.date), scope.region), SERVICE), 'aws4_request');
  if (signingKeys.size >= SIGNING_KEYS_KEPT) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}

/** Compares in constant time, so a refusal's timing tells nothing about how much of a signature was right. */
function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}
