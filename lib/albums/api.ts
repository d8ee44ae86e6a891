import type { CoverStore } from '../covers/store.js';
import { entityTag } from '../http/conditional.js';
import { type Album, AlbumPath } from '../schemas.js';
import { parsePath } from '../validation.js';
import type { StoredAlbum } from './store.js';

/** The public view of a stored album: server-side details such as the cover key stay inside. */
export function presentAlbum({ coverKey: _coverKey, ...album }: StoredAlbum): Album {
  return album;
}

/**
 * An album as `GET /albums/{albumId}` shows it: its public view, with a short-lived URL of its cover once
 * one is verified.
 */
export async function representAlbum(album: StoredAlbum, covers: Pick<CoverStore, 'presignDownload'>) {
  // The album may be the cache's own object: the representation gets copies of what it adds to.
  const presented = presentAlbum(album);
  const cover = album.coverKey
    ? { ...presented.cover, url: await covers.presignDownload(album.coverKey) }
    : presented.cover;
  return { ...presented, cover };
}

/**
 * The entity tag `GET /albums/{albumId}` gives the album as it is now (the tag of its body), which a change
 * conditional on `If-Match` compares.
 */
export async function albumTag(album: StoredAlbum, covers: Pick<CoverStore, 'presignDownload'>) {
  return entityTag(JSON.stringify(await representAlbum(album, covers)));
}

/**
 * Validates the `{albumId}` path parameter as sent, so a malformed id (spaces and newlines included) is a
 * 400 rather than a database error or another album.
 */
export function parseAlbumId(pathParameters: Record<string, string | undefined> | undefined): string {
  return parsePath(AlbumPath, { albumId: pathParameters?.albumId }, 'album id').albumId;
}
