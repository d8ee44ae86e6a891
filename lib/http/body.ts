import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The raw request body, binary-safe whether or not API Gateway base64-encoded it. */
export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}
