import { type Album, AlbumPath } from '../schemas.js';
import { parsePath } from '../validation.js';
import type { StoredAlbum } from './store.js';

/** The public view of a stored album: server-side details such as the cover key stay inside. */
export function presentAlbum({ coverKey: _coverKey, ...album }: StoredAlbum): Album {
  return album;
}

/**
 * Validates the `{albumId}` path parameter as sent, so a malformed id (spaces and newlines included) is a
 * 400 rather than a database error or another album.
 */
export function parseAlbumId(pathParameters: Record<string, string | undefined> | undefined): string {
  return parsePath(AlbumPath, { albumId: pathParameters?.albumId }, 'album id').albumId;
}
