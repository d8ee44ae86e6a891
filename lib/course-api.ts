import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Type from 'typebox';
import { AlbumId } from './schemas.js';
import { parse } from './validation.js';

const CourseAlbumPath = Type.Object({ albumID: AlbumId });

/** The `{albumID}` path parameter, validated so a malformed id is a 400, not a database error. */
export function parseCourseAlbumId(event: APIGatewayProxyEventV2): string {
  return parse(CourseAlbumPath, { albumID: event.pathParameters?.albumID }, 'albumID').albumID;
}
