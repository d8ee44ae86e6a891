import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { judgeImage } from '../covers/image.js';
import { receivedCoverKey } from '../covers/keys.js';
import type { CoverStore } from '../covers/store.js';
import type { AlbumProfile, CourseAlbumStore, NewAlbumWithYearText, ReceivedCover } from './store.js';

/**
 * Stores a course album with the image it came with as its cover. The function holds the image's bytes, so
 * it judges them as the verifier judges an upload (decoded: see judgeImage) and stores the
 * album with its cover already `ready` or `rejected`: one object written and one statement, where an
 * upload costs a notification, a verifier run, a read back and an update. A rejected image is not stored.
 * The object is written first, as the album's row names it; if the row cannot be stored, the object is
 * removed again, so a failed request leaves nothing behind.
 *
 * @example
 * const album = await createAlbumWithReceivedCover({ albums, covers, log: logger }, newAlbum, image);
 */
export async function createAlbumWithReceivedCover(
  deps: { albums: Pick<CourseAlbumStore, 'create'>; covers: CoverStore; log: Pick<Logger, 'info'> },
  album: NewAlbumWithYearText,
  image: Uint8Array,
): Promise<AlbumProfile> {
  const albumId = randomUUID();
  const key = receivedCoverKey(albumId);
  const verdict = await judgeImage(image);
  if (!verdict.accepted) {
    deps.log.info('Cover rejected', { albumId, key, reason: verdict.reason });
    return deps.albums.create(albumId, album, {
      key,
      status: 'rejected',
      reason: verdict.reason,
    });
  }
  const { eTag } = await deps.covers.put(key, image, verdict.contentType);
  const cover: ReceivedCover = {
    key,
    status: 'ready',
    eTag,
    size: image.length,
    contentType: verdict.contentType,
    width: verdict.width,
    height: verdict.height,
  };
  try {
    return await deps.albums.create(albumId, album, cover);
  } catch (error) {
    await deps.covers.remove(key).catch(() => undefined);
    throw error;
  }
}
