import { type Database, type EngineSql, uuid } from '../lib/db/database.js';

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

// Left as it is when present: reviews and a cover given to it through the samples stay.
const INSERT_SAMPLE_ALBUM: EngineSql = {
  postgresql: `INSERT INTO albums (album_id, artist, title, year) VALUES (:albumId, :artist, :title, :year)
               ON CONFLICT (album_id) DO NOTHING`,
  mysql: `INSERT INTO albums (album_id, artist, title, year) VALUES (:albumId, :artist, :title, :year)
          ON DUPLICATE KEY UPDATE album_id = album_id`,
};

/**
 * Stores {@link SAMPLE_ALBUM} unless the database already has it.
 *
 * @example
 * await seedSampleAlbum(db); // at every start, after the migrations
 */
export async function seedSampleAlbum(db: Database): Promise<void> {
  await db.execute(INSERT_SAMPLE_ALBUM, { ...SAMPLE_ALBUM, albumId: uuid(SAMPLE_ALBUM.albumId) });
}
