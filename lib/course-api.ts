import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Type from 'typebox';
import { AlbumId } from './schemas.js';
import { parsePath } from './validation.js';

const CourseAlbumPath = Type.Object({ albumID: AlbumId });

/**
 * The `{albumID}` path parameter, validated as sent (untrimmed) so a malformed id is a 400, not a database
 * error or another album.
 */
export function parseCourseAlbumId(event: APIGatewayProxyEventV2): string {
  return parsePath(CourseAlbumPath, { albumID: event.pathParameters?.albumID }, 'albumID').albumID;
}
