import { createLruCache } from '../cache/lru.js';

/** How many album ids, and as many course sequence numbers, a container remembers by default. */
const KNOWN_ALBUM_IDS_LIMIT = 50_000;

/**
 * The album ids a container has seen stored, and the course sequence numbers it has seen them under. An id
 * once seen is taken as valid for the container's life: only its owner deletes an album, and what is then
 * sent for it by another container that still remembers it is dropped on the way in (the consumer applies
 * nothing to an album that is gone).
 */
export interface KnownAlbumIds {
  /** Whether an album with this id was seen stored. */
  has(albumId: string): boolean;
  /** The id of the album seen stored under this course sequence number, or undefined. */
  idOfSeq(seq: number): string | undefined;
  /** Remembers an album seen stored, with its sequence number when the caller read it. */
  remember(albumId: string, seq?: number): void;
  /** Forgets an album this container removed. */
  forget(albumId: string): void;
}

/**
 * The bounded memo of album ids that spares a read per review: least recently used ids go first once
 * `maxEntries` ids (and as many sequence numbers) are kept; none expires.
 *
 * @example
 * const known = createKnownAlbumIds();
 * const albums = createAlbumStore(db, { known });
 * const courseAlbums = createCourseAlbumStore(db, { known }); // one memo for both
 */
export function createKnownAlbumIds({ maxEntries = KNOWN_ALBUM_IDS_LIMIT } = {}): KnownAlbumIds {
  const ids = createLruCache<true>({ maxEntries });
  const bySeq = createLruCache<string>({ maxEntries });
  return {
    has: (albumId) => ids.get(albumId) === true,
    idOfSeq: (seq) => bySeq.get(String(seq)),
    remember(albumId, seq) {
      ids.set(albumId, true, Number.POSITIVE_INFINITY);
      if (seq !== undefined) bySeq.set(String(seq), albumId, Number.POSITIVE_INFINITY);
    },
    forget(albumId) {
      ids.delete(albumId);
    },
  };
}
