import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Type from 'typebox';
import { AlbumId } from './schemas.js';
import { parse } from './validation.js';

/** The `{albumID}` path parameter, validated so a malformed id is a 400, not a database error. */
export function parseCourseAlbumId(event: APIGatewayProxyEventV2): string {
  return parse(Type.Object({ albumID: AlbumId }), { albumID: event.pathParameters?.albumID }, 'albumID')
    .albumID;
}

/** The raw request body, binary-safe whether or not API Gateway base64-encoded it. */
export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}
