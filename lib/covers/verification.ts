import type { Logger } from '@aws-lambda-powertools/logger';
import { judgeImage } from './image.js';
import { albumIdOfCoverKey, shownCoverKey } from './keys.js';
import type { CoverStore } from './store.js';
import type { CoverUploads } from './uploads.js';

export type VerificationOutcome = 'ready' | 'rejected' | 'unchanged' | 'superseded' | 'stale' | 'ignored';

/** A verifier: judges the upload at a key, the object with `eventETag` when an event names one. */
export type CoverVerifier = (key: string, eventETag?: string) => Promise<VerificationOutcome>;

/**
 * Verifies an uploaded cover by decoding it (see {@link judgeImage}): a JPEG, PNG, WebP or GIF within the size
 * limit is copied, the bytes judged and nothing else, to its {@link shownCoverKey} with its verified type, and
 * that copy becomes its album's cover, `ready` with its size, type and dimensions; anything else is recorded
 * as `rejected` with the reason (an album with a ready cover keeps showing it). Only an upload still pending
 * is judged, once: an object sent again with a used form is removed unseen, and so is every upload
 * object once judged. Safe to run early, late or twice: a repeated event finds the upload judged, a late one
 * finds a newer cover shown (`superseded`), and an event whose object was since replaced (`stale`) leaves
 * the judging to the replacement's own event. Without `eventETag` (the sweeper), whatever object is there is
 * judged.
 *
 * @example
 * const verify = createCoverVerifier({ uploads, covers, maxBytes: 5 << 20, log: logger });
 * await verify('covers/6f1c…/1764100000000-9b2c…', '"9b2cf535f27731c974343645a3985328"');
 */
export function createCoverVerifier(deps: {
  uploads: Pick<CoverUploads, 'recordVerdict'>;
  covers: CoverStore;
  maxBytes: number;
  log: Pick<Logger, 'info' | 'warn'>;
}): CoverVerifier {
  const removeStray = async (key: string): Promise<VerificationOutcome> => {
    deps.log.warn('Object under covers/ belongs to no album; removing it', { key });
    await deps.covers.remove(key);
    return 'ignored';
  };

  return async function verify(key, eventETag) {
    const albumId = albumIdOfCoverKey(key);
    if (!albumId) return removeStray(key);
    // One byte past the limit tells an oversized object without reading all of it.
    const object = await deps.covers.readStart(key, deps.maxBytes + 1);
    const eTag = object?.eTag;
    if (!object || !eTag || (eventETag !== undefined && eTag !== eventETag.replaceAll('"', '')))
      return 'stale';

    const judged =
      object.size > deps.maxBytes
        ? ({ accepted: false, reason: `larger than ${deps.maxBytes} bytes` } as const)
        : await judgeImage(object.bytes);
    const shownKey = shownCoverKey(key, eTag);
    // The copy exists before any album row can name it.
    if (judged.accepted) await deps.covers.put(shownKey, object.bytes, judged.contentType);
    const recorded = await deps.uploads.recordVerdict(
      albumId,
      key,
      judged.accepted
        ? {
            eTag,
            shownKey,
            status: 'ready',
            size: object.size,
            contentType: judged.contentType,
            width: judged.width,
            height: judged.height,
          }
        : { eTag, status: 'rejected', reason: judged.reason },
    );
    if (!recorded.found) {
      // The album was deleted while its upload was judged: the copy written for it is nobody's.
      if (judged.accepted) await deps.covers.remove(shownKey);
      return removeStray(key);
    }
    // An upload object is never shown: once judged (or found judged already) it is of no further use, and
    // neither is a copy that did not become the cover, nor the cover this one replaced. A legacy cover kept
    // at its upload key stays while it is shown.
    if (recorded.shownKey !== key) await deps.covers.remove(key);
    if (judged.accepted && recorded.shownKey !== shownKey) await deps.covers.remove(shownKey);
    if (recorded.replacedKey) await deps.covers.remove(recorded.replacedKey);
    if (!recorded.applied) {
      deps.log.info('Cover upload not applied: judged already, or older than the cover shown', {
        albumId,
        key,
      });
      return recorded.shownKey === shownKey ? 'unchanged' : 'superseded';
    }
    if (!judged.accepted) deps.log.info('Cover rejected', { albumId, key, reason: judged.reason });
    return judged.accepted ? 'ready' : 'rejected';
  };
}
