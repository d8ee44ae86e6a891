import type { Logger } from '@aws-lambda-powertools/logger';
import { type AlbumStore, albumIdOfCoverKey } from '../albums/store.js';
import { inspectImage } from './image.js';
import type { CoverStore } from './store.js';

/** Enough of the file for every accepted format's header, including JPEGs with large metadata blocks. */
const INSPECTED_BYTES = 256 * 1024;

export type VerificationOutcome = 'ready' | 'rejected' | 'unchanged' | 'superseded' | 'stale' | 'ignored';

/**
 * Verifies an uploaded cover: a JPEG, PNG, WebP or GIF (by its bytes) within the size limit becomes its
 * album's cover, `ready` with its size, type and dimensions; anything else is deleted and recorded as
 * `rejected` with the reason (an album with a ready cover keeps showing it). Every upload has its own key,
 * so deleting a rejected or replaced object never touches another upload. Safe to run early, late or twice:
 * an album's row exists before any of its cover keys is handed out, a repeated event changes nothing, and
 * an upload older than the cover already shown is discarded rather than shown.
 *
 * @example
 * const verify = createCoverVerifier({ albums, covers, maxBytes: 5 << 20, log: logger });
 * await verify('covers/6f1c…/1764100000000-9b2c…', '"9b2cf535f27731c974343645a3985328"');
 */
export function createCoverVerifier(deps: {
  albums: AlbumStore;
  covers: CoverStore;
  maxBytes: number;
  log: Pick<Logger, 'info' | 'warn'>;
}) {
  const removeStray = async (key: string): Promise<VerificationOutcome> => {
    deps.log.warn('Object under covers/ belongs to no album; removing it', { key });
    await deps.covers.remove(key);
    return 'ignored';
  };

  return async function verify(key: string, eventETag: string): Promise<VerificationOutcome> {
    const albumId = albumIdOfCoverKey(key);
    if (!albumId) return removeStray(key);
    const object = await deps.covers.readStart(key, INSPECTED_BYTES);
    const eTag = eventETag.replaceAll('"', '');
    if (!object || object.eTag !== eTag) return 'stale';

    const inspected =
      object.size > deps.maxBytes
        ? ({ accepted: false, reason: `larger than ${deps.maxBytes} bytes` } as const)
        : inspectImage(object.bytes);
    const recorded = await deps.albums.recordCoverVerdict(
      albumId,
      key,
      inspected.accepted
        ? { eTag, status: 'ready', size: object.size, ...inspected }
        : { eTag, status: 'rejected', reason: inspected.reason },
    );
    if (!recorded.found) return removeStray(key);
    // What is not shown now is of no further use: a rejected upload, one a newer upload superseded, or
    // the cover this one replaced.
    if (recorded.shownKey !== key) await deps.covers.remove(key);
    if (recorded.replacedKey) await deps.covers.remove(recorded.replacedKey);
    if (!recorded.applied) return recorded.shownKey === key ? 'unchanged' : 'superseded';
    if (!inspected.accepted) deps.log.info('Cover rejected', { albumId, key, reason: inspected.reason });
    return inspected.accepted ? 'ready' : 'rejected';
  };
}
