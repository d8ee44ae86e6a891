import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The raw request body, binary-safe whether or not API Gateway base64-encoded it.
 *
 * @example
 * const text = rawBody(event).toString('utf8');
 */
export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  const body: unknown = event.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8');
  // API Gateway always sends text, but serverless-offline hands over a JSON body it parsed itself when the
  // value is falsy (`false`, `0`): write it back as the JSON it came as.
  return Buffer.from(JSON.stringify(body));
}
