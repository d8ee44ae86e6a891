import { type Database, type EngineSql, uuid } from '../lib/db/database.js';
import { localUserSub } from './auth/provider.js';

/** The local user the sample events' claims name (requestContext.authorizer.jwt.claims): the demo albums' owner. */
export const SAMPLE_USER = 'sample-user';

/**
 * The album every sample event in events/ names. `npm start` keeps it in the database, so
 * `serverless invoke local` and `npm run invoke` answer the samples as written; its title says why it is there.
 */
export const SAMPLE_ALBUM = {
  albumId: '00000000-0000-4000-8000-000000000000',
  artist: 'Demo Artist',
  title: 'Demo album (named by the sample events in events/)',
  year: 2000,
} as const;

/** The album events/deleteAlbum.json deletes, kept apart so the other samples keep theirs; back at each start. */
export const SAMPLE_ALBUM_TO_DELETE = {
  albumId: '00000000-0000-4000-8000-000000000001',
  artist: 'Demo Artist (deleted by a sample event)',
  title: 'Demo album (named by events/deleteAlbum.json)',
  year: 2000,
} as const;

// Left as it is when present: reviews and a cover given to it through the samples stay.
const INSERT_SAMPLE_ALBUM: EngineSql = {
  postgresql: `INSERT INTO albums (album_id, artist, title, year, owner) VALUES (:albumId, :artist, :title, :year, :owner)
               ON CONFLICT (album_id) DO NOTHING`,
  mysql: `INSERT INTO albums (album_id, artist, title, year, owner) VALUES (:albumId, :artist, :title, :year, :owner)
          ON DUPLICATE KEY UPDATE album_id = album_id`,
};

/**
 * Stores {@link SAMPLE_ALBUM} and {@link SAMPLE_ALBUM_TO_DELETE}, owned by {@link SAMPLE_USER}, unless the
 * database already has them.
 *
 * @example
 * await seedSampleAlbum(db); // at every start, after the migrations
 */
export async function seedSampleAlbum(db: Database): Promise<void> {
  const owner = localUserSub(SAMPLE_USER);
  for (const album of [SAMPLE_ALBUM, SAMPLE_ALBUM_TO_DELETE]) {
    await db.execute(INSERT_SAMPLE_ALBUM, { ...album, albumId: uuid(album.albumId), owner });
  }
}
