import { randomBytes } from 'node:crypto';

/**
 * The covers bucket's key scheme. Uploads land under `covers/`, whose new objects the bucket notifies the
 * verifier of; covers the API judged itself are kept under `received-covers/`, and the verified copies shown
 * under `shown-covers/`, both outside it.
 */

/** Where covers the API received itself are kept: outside `covers/`, whose uploads the bucket notifies. */
export const RECEIVED_COVERS_PREFIX = 'received-covers/';

/** Where verified uploads are shown from: outside `covers/`, where a used form could still write. */
const SHOWN_COVERS_PREFIX = 'shown-covers/';

/**
 * A fresh object key for one upload of an album's cover: `covers/{albumId}/{uploadId}`, where the upload id
 * is the issue time in zero-padded milliseconds and a random suffix, so keys sort in the order they were
 * issued. The server chooses it, so a client can never choose where it writes; and each upload has its
 * own object, so a replacement never overwrites the cover being shown.
 *
 * @example
 * coverUploadKey(albumId); // 'covers/6f1c…/1764100000000-9b2c4e1a'
 */
export function coverUploadKey(albumId: string, now: Date = new Date()): string {
  return `covers/${albumId}/${uploadId(now)}`;
}

/**
 * The object key of a cover the API received with its album (the course contract's POST) and judged itself:
 * `received-covers/{albumId}/{uploadId}`. Outside `covers/`, so the bucket does not notify the verifier to
 * read back and judge again what the function already judged. Such a cover is stored with its album, so it
 * is older than any upload to the album's {@link coverUploadKey} keys.
 *
 * @example
 * receivedCoverKey(albumId); // 'received-covers/6f1c…/1764100000000-9b2c4e1a'
 */
export function receivedCoverKey(albumId: string, now: Date = new Date()): string {
  return `${RECEIVED_COVERS_PREFIX}${albumId}/${uploadId(now)}`;
}

/**
 * The key prefixes under which every object of an album's own covers lies: its uploads (and its cover from
 * before each upload had its own key) and their verified copies. Removing what they name removes all of
 * them. UUIDs have one length, so they name no other album's.
 *
 * @example
 * for (const prefix of coverKeyPrefixes(albumId)) await covers.removeAll(prefix);
 */
export function coverKeyPrefixes(albumId: string): string[] {
  return [`covers/${albumId}`, `${SHOWN_COVERS_PREFIX}${albumId}`];
}

/**
 * The object key a verified upload is shown from: `shown-covers/{albumId}/{uploadId}-{eTag}`. A form stays
 * valid for minutes after its first use, so the object at its key can be replaced; the copy the verifier
 * writes here, of the bytes it judged, cannot be. The ETag keeps two objects sent with one form apart, so a
 * copy that lost the race to be recorded can be removed without touching the one shown. Copies of one
 * album's uploads sort in issue order, after any `covers/` or `received-covers/` key.
 *
 * @example
 * shownCoverKey('covers/6f1c…/1764100000000-9b2c4e1a', '9b2cf5…'); // 'shown-covers/6f1c…/1764100000000-9b2c4e1a-9b2cf5…'
 */
export function shownCoverKey(uploadKey: string, eTag: string): string {
  return `${SHOWN_COVERS_PREFIX}${uploadKey.slice('covers/'.length)}-${eTag.replace(/[^0-9A-Za-z-]/g, '')}`;
}

/** The issue time in zero-padded milliseconds and a random suffix, so keys sort in the order they were issued. */
const uploadId = (now: Date) =>
  `${String(now.getTime()).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;

// Before each upload had its own key, an album's cover was stored at `covers/{albumId}`; those still verify.
const COVER_KEY =
  /^covers\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/\d{13}-[0-9a-f]{8})?$/;

/**
 * The album a cover key belongs to, or undefined for a key {@link coverUploadKey} would not make.
 *
 * @example
 * albumIdOfCoverKey('covers/6f1c…/1764100000000-9b2c4e1a'); // '6f1c…'
 */
export function albumIdOfCoverKey(key: string): string | undefined {
  return COVER_KEY.exec(key)?.[1];
}
