import { type TypedValue, uuid } from '../db/database.js';

/**
 * How the course contract names an album: by its sequence number (the `seq` it was given when stored, its
 * course id) or by its UUID.
 */
export type AlbumRef = { seq: number } | { albumId: string };

/**
 * The condition on the albums table that picks the album a reference names, and its named parameters.
 *
 * @example
 * const { where, params } = whereRef({ seq: 1 }); // 'seq = :seq', { seq: 1 }
 * await db.execute(`SELECT title FROM albums WHERE ${where}`, params);
 */
export function whereRef(ref: AlbumRef): {
  where: string;
  params: { seq: number } | { albumId: TypedValue };
} {
  return 'seq' in ref
    ? { where: 'seq = :seq', params: { seq: ref.seq } }
    : { where: 'album_id = :albumId', params: { albumId: uuid(ref.albumId) } };
}
