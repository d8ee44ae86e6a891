import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Type, { type Static } from 'typebox';
import { LikeOrNot } from './course-contract.js';
import { AlbumId } from './schemas.js';
import { parsePath } from './validation.js';

const CourseAlbumPath = Type.Object({ albumID: AlbumId });
const CourseReviewPath = Type.Object({ likeornot: LikeOrNot });

/**
 * The `{albumID}` path parameter, validated as sent (untrimmed) so a malformed id is a 400, not a database
 * error or another album.
 */
export function parseCourseAlbumId(event: APIGatewayProxyEventV2): string {
  return parsePath(CourseAlbumPath, { albumID: event.pathParameters?.albumID }, 'albumID').albumID;
}

/**
 * The `{likeornot}` path parameter, exactly `like` or `dislike`; anything else is a 400 naming the parameter.
 *
 * @example
 * const kind = parseLikeOrNot(event); // 'like' | 'dislike'
 */
export function parseLikeOrNot(event: APIGatewayProxyEventV2): Static<typeof LikeOrNot> {
  return parsePath(CourseReviewPath, { likeornot: event.pathParameters?.likeornot }, 'likeornot').likeornot;
}
