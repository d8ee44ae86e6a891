import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { rawBody } from '../http/body.js';
import { parseMultipart } from '../http/multipart.js';
import { type CourseProfile, parseProfile } from './contract.js';

/** What `POST albums` sends: the album's profile and the image to make its cover. */
export interface CourseAlbumForm {
  profile: CourseProfile;
  /** The image's bytes as received, never empty. */
  image: Buffer;
}

/**
 * Reads the multipart form `POST albums` takes (see `CourseNewAlbumForm`): an `image` file part of at most
 * `maxBytes` and a `profile` part, as a field or a file, read with {@link parseProfile}. A body of another
 * type is an `UnsupportedMediaTypeError`; a missing or empty part, or a malformed profile, a
 * `ValidationError` naming each.
 *
 * @example
 * const { profile, image } = await parseCourseAlbumForm(event, coversConfig.maxBytes);
 */
export async function parseCourseAlbumForm(
  event: APIGatewayProxyEventV2,
  maxBytes: number,
): Promise<CourseAlbumForm> {
  const contentType = event.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw new UnsupportedMediaTypeError(
      'Content-Type must be multipart/form-data with image and profile parts',
    );
  }
  const form = await parseMultipart(rawBody(event), contentType, maxBytes);
  const image = form.files.image;
  const profileText = form.fields.profile ?? form.files.profile?.data.toString('utf8');
  if (!image || profileText === undefined) {
    const missing = [!image && 'image', profileText === undefined && 'profile'].filter(Boolean) as string[];
    throw new ValidationError(
      `Missing part${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
      missing.map((field) => ({ field, message: 'is required' })),
    );
  }
  if (image.data.length === 0)
    throw new ValidationError('image is empty', [{ field: 'image', message: 'is empty' }]);
  return { profile: parseProfile(profileText), image: image.data };
}
