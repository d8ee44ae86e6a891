import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Static } from 'typebox';
import * as Type from 'typebox';
import { NotFoundError } from '../errors.js';
import { conforms } from '../schema-check.js';
import { AlbumId } from '../schemas.js';
import { parsePath } from '../validation.js';
import type { AlbumRef } from './album-ref.js';
import { CourseReviewPath, type LikeOrNot } from './contract.js';
import type { CourseAlbumStore } from './store.js';

const LikeOrNotPath = Type.Pick(CourseReviewPath, ['likeornot']);

/** A sequence number as {@link courseAlbumId} writes it: plain decimal, and a safe integer. */
const SEQ = /^[1-9][0-9]{0,14}$/;

/**
 * The album the `{albumID}` path parameter names, taken exactly as sent: a plain decimal number is the
 * album's course id (its sequence number), a UUID the id our own API gives it. Any other text names no
 * album, so it is a {@link NotFoundError} (`Key not found`) as an unknown id is, never a 400: course
 * clients send ids of every shape, and the contract's only answer for a missing album is 404.
 *
 * @example
 * parseCourseAlbumRef(event); // { seq: 1 } for albums/1
 */
export function parseCourseAlbumRef(event: APIGatewayProxyEventV2): AlbumRef {
  const albumID = event.pathParameters?.albumID ?? '';
  if (SEQ.test(albumID)) return { seq: Number(albumID) };
  if (conforms(AlbumId, albumID)) return { albumId: albumID };
  throw new NotFoundError('Key not found');
}

/**
 * The UUID of the album the `{albumID}` path parameter names (see {@link parseCourseAlbumRef}), or a
 * {@link NotFoundError} when it names none.
 *
 * @example
 * const albumId = await courseAlbumUuid(albums, event);
 */
export async function courseAlbumUuid(
  albums: Pick<CourseAlbumStore, 'idOf'>,
  event: APIGatewayProxyEventV2,
): Promise<string> {
  const albumId = await albums.idOf(parseCourseAlbumRef(event));
  if (albumId === undefined) throw new NotFoundError('Key not found');
  return albumId;
}

/**
 * The `{likeornot}` path parameter, exactly `like` or `dislike`; anything else is a 400 naming the parameter.
 *
 * @example
 * const kind = parseLikeOrNot(event); // 'like' | 'dislike'
 */
export function parseLikeOrNot(event: APIGatewayProxyEventV2): Static<typeof LikeOrNot> {
  return parsePath(LikeOrNotPath, { likeornot: event.pathParameters?.likeornot }, 'likeornot').likeornot;
}
