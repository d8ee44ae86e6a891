import { type AlbumStore, albumIdOfCoverKey } from './albums.js';
import { inspectImage } from './cover-image.js';
import type { CoverStore } from './covers.js';
import { logger } from './observability.js';

/** Enough of the file for every accepted format's header, including JPEGs with large metadata blocks. */
const INSPECTED_BYTES = 256 * 1024;

export type VerificationOutcome = 'ready' | 'rejected' | 'unchanged' | 'stale' | 'ignored';

/**
 * Verifies an uploaded cover: a JPEG, PNG, WebP or GIF (by its bytes) within the size limit is recorded
 * on its album as `ready` with its size, type and dimensions; anything else is deleted and the album's
 * cover marked `rejected` with the reason. Safe to run twice for the same upload, and an event about an
 * upload that has since been replaced is skipped (the newer upload has an event of its own).
 *
 * @example
 * const verify = createCoverVerifier({ albums, covers, maxBytes: 5 << 20 });
 * await verify('covers/6f1c…', '"9b2cf535f27731c974343645a3985328"');
 */
export function createCoverVerifier(deps: { albums: AlbumStore; covers: CoverStore; maxBytes: number }) {
  return async function verify(key: string, eventETag: string): Promise<VerificationOutcome> {
    const albumId = albumIdOfCoverKey(key);
    if (!albumId || !(await deps.albums.exists(albumId))) {
      logger.warn('Object under covers/ belongs to no album; removing it', { key });
      await deps.covers.remove(key);
      return 'ignored';
    }
    const object = await deps.covers.describe(key);
    const eTag = eventETag.replaceAll('"', '');
    if (!object || object.eTag !== eTag) return 'stale';

    const verdict =
      object.size > deps.maxBytes
        ? ({ accepted: false, reason: `larger than ${deps.maxBytes} bytes` } as const)
        : inspectImage(await deps.covers.readStart(key, Math.min(object.size, INSPECTED_BYTES)));
    if (!verdict.accepted) {
      await deps.covers.remove(key);
      const changed = await deps.albums.recordCoverVerdict(albumId, {
        eTag,
        status: 'rejected',
        reason: verdict.reason,
      });
      logger.info('Cover rejected', { albumId, reason: verdict.reason });
      return changed ? 'rejected' : 'unchanged';
    }
    const changed = await deps.albums.recordCoverVerdict(albumId, {
      eTag,
      status: 'ready',
      size: object.size,
      contentType: verdict.contentType,
      width: verdict.width,
      height: verdict.height,
    });
    return changed ? 'ready' : 'unchanged';
  };
}
