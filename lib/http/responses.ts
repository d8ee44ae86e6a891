import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The largest body a response of ours may have. Well under Lambda's 6 MB response limit: no answer of this
 * API comes near it unless something echoes unbounded input, which is a bug to refuse rather than send.
 */
export const MAX_RESPONSE_BYTES = 1 << 20;

/** A response body would exceed {@link MAX_RESPONSE_BYTES}: a bug, answered as a 500 (lib/http/errors.ts). */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

/**
 * A JSON response with the right content type. Throws {@link ResponseTooLargeError} rather than build a
 * body over {@link MAX_RESPONSE_BYTES}.
 *
 * @example
 * return json(200, album, { 'cache-control': 'max-age=1' });
 */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  const text = JSON.stringify(body);
  // A UTF-16 unit is 3 UTF-8 bytes at most: only text that could be over the limit is measured.
  if (text.length * 3 > MAX_RESPONSE_BYTES && Buffer.byteLength(text) > MAX_RESPONSE_BYTES) {
    throw new ResponseTooLargeError(
      `A ${statusCode} response of ${Buffer.byteLength(text)} bytes was refused`,
    );
  }
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  };
}
