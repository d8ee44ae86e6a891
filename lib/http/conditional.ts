import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * A strong entity tag of a response body: the same bytes, the same tag, so a client holding them can ask
 * whether they changed with `If-None-Match`.
 *
 * @example
 * entityTag('{"albumId":"6f1c…"}'); // '"q3Jd…"' (quoted, as the header carries it)
 */
export function entityTag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an `If-None-Match` header matches `tag`: `*`, or a comma-separated list of tags of which one
 * equals it by the weak comparison (RFC 9110, 13.1.2: `W/"x"` matches `"x"`), as a GET's condition is.
 *
 * @example
 * noneMatchFails('W/"a", "b"', '"a"'); // true: the client has it, answer 304
 */
export function noneMatchFails(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (candidate: string) => candidate.trim().replace(/^W\//, '');
  return header.split(',').some((candidate) => opaque(candidate) === opaque(tag));
}

/**
 * Whether an `If-Match` header lets a change go ahead on a resource whose current tag is `tag`: absent,
 * `*`, or a comma-separated list of which one equals it by the strong comparison (RFC 9110, 13.1.1: a
 * weak tag never matches).
 *
 * @example
 * matchHolds('"a", "b"', '"b"'); // true
 * matchHolds('W/"b"', '"b"'); // false: answer 412
 */
export function matchHolds(header: string | undefined, tag: string): boolean {
  if (header === undefined || header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim() === tag);
}

export interface ConditionalGetOptions {
  /** `Cache-Control` of a 200 that does not set its own. */
  cacheControl: string;
}

// A 304 carries what a cache needs to refresh its copy, and no description of a body it does not send.
const BODY_HEADERS = new Set(['content-type', 'content-length']);

/**
 * Middleware for GET routes: gives every 200 a strong `ETag` from its body and a `Cache-Control`, and
 * answers `304 Not Modified`, without a body, to a request whose `If-None-Match` names that tag. Errors
 * are left alone.
 *
 * @example
 * export const handler = httpHandler(listAlbums).use(conditionalGet({ cacheControl: 'public, max-age=1' }));
 */
export function conditionalGet(
  options: ConditionalGetOptions,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    after(request) {
      const { response } = request;
      if (response?.statusCode !== 200 || typeof response.body !== 'string') return;
      const headers: Record<string, string | number | boolean> = {
        'cache-control': options.cacheControl,
        ...response.headers,
        etag: entityTag(response.body),
      };
      response.headers = headers;
      if (!noneMatchFails(request.event.headers?.['if-none-match'], String(headers.etag))) return;
      request.response = {
        statusCode: 304,
        headers: Object.fromEntries(Object.entries(headers).filter(([name]) => !BODY_HEADERS.has(name))),
        body: '',
      };
    },
  };
}
