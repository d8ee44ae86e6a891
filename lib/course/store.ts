import { createKnownAlbumIds, type KnownAlbumIds } from '../albums/known-ids.js';
import { type CoverJudgement, judgementParams } from '../covers/uploads.js';
import { type Database, type EngineSql, forEachEngine, uuid } from '../db/database.js';
import { type AlbumRef, whereRef } from './album-ref.js';

/** An album as the course contract shows it: its two ids and its profile, the year as its creator wrote it. */
export interface AlbumProfile {
  albumId: string;
  seq: number;
  artist: string;
  title: string;
  /** The text a course client sent, or the integer year of an album created through our own API. */
  year: string;
}

/** A new album whose year came as free text; `year` is that text's integer year, or null if it has none. */
export interface NewAlbumWithYearText {
  artist: string;
  title: string;
  year: number | null;
  yearText: string;
}

/**
 * A cover the API received with its album and judged itself: stored at `key` when ready; when rejected,
 * never stored, and `key` only names the upload in the album's `cover.upload`.
 */
export type ReceivedCover = { key: string } & (
  | ({ eTag: string } & Extract<CoverJudgement, { status: 'ready' }>)
  | Extract<CoverJudgement, { status: 'rejected' }>
);

/** The albums table as the course contract reads and writes it. */
export interface CourseAlbumStore {
  /**
   * Stores a new album with the id given, its year kept as the text sent, and its cover already judged (see
   * `receivedCoverKey`); one statement.
   */
  create(albumId: string, input: NewAlbumWithYearText, cover: ReceivedCover): Promise<AlbumProfile>;
  /** The album `ref` names, as the course contract shows it, or undefined; one statement. */
  profile(ref: AlbumRef): Promise<AlbumProfile | undefined>;
  /**
   * The UUID of the album `ref` names, or undefined; remembered (see {@link KnownAlbumIds}), so an album
   * deleted since may still be found (what is then sent for it is dropped by the consumer).
   */
  idOf(ref: AlbumRef): Promise<string | undefined>;
}

const PROFILE_COLUMNS: EngineSql = {
  postgresql: 'album_id, seq, artist, title, coalesce(year_text, year::text) AS year',
  mysql: 'album_id, seq, artist, title, coalesce(year_text, cast(year AS char)) AS year',
};

// MySQL has no RETURNING: its INSERT returns no row, but the seq it generated (see `create`).
const INSERT_ALBUM_WITH_RECEIVED_COVER: EngineSql = forEachEngine(
  (engine) => `
  INSERT INTO albums (album_id, artist, title, year, year_text, cover_upload_key, cover_key, cover_status,
                      cover_reason, cover_etag, cover_size, cover_content_type, cover_width, cover_height)
  VALUES (:albumId, :artist, :title, :year, :yearText, :uploadKey, :coverKey, :status,
          :reason, :eTag, :size, :contentType, :width, :height)
  ${engine === 'mysql' ? '' : `RETURNING ${PROFILE_COLUMNS.postgresql}`}`,
);

interface ProfileRow {
  [column: string]: unknown;
  album_id: string;
  seq: number;
  artist: string;
  title: string;
  year: string;
}

const toProfile = (row: ProfileRow): AlbumProfile => ({
  albumId: row.album_id,
  seq: Number(row.seq),
  artist: row.artist,
  title: row.title,
  year: row.year,
});

/**
 * The course contract's albums behind domain verbs: its ids (sequence numbers) and profiles, the year as
 * sent. All of its SQL lives here.
 *
 * @example
 * const courseAlbums = createCourseAlbumStore(db, { known }); // `known` shared with the album store
 * const albumId = await courseAlbums.idOf({ seq: 1 });
 */
export function createCourseAlbumStore(
  db: Database,
  { known = createKnownAlbumIds() }: { known?: KnownAlbumIds } = {},
): CourseAlbumStore {
  return {
    async create(albumId, { artist, title, year, yearText }, cover) {
      const ready = cover.status === 'ready';
      const { rows, generatedId } = await db.execute<ProfileRow>(INSERT_ALBUM_WITH_RECEIVED_COVER, {
        albumId: uuid(albumId),
        artist,
        title,
        year,
        yearText,
        uploadKey: cover.key,
        coverKey: ready ? cover.key : null,
        status: cover.status,
        eTag: ready ? cover.eTag : null,
        ...judgementParams(cover),
      });
      const [row] = rows;
      if (row) return toProfile(row);
      // MySQL returns no row, but the seq it generated; the rest is what was stored.
      if (generatedId === undefined) throw new Error(`Album ${albumId} was stored without a seq`);
      return { albumId, seq: generatedId, artist, title, year: yearText };
    },

    async profile(ref) {
      const { where, params } = whereRef(ref);
      const { rows } = await db.execute<ProfileRow>(
        forEachEngine((engine) => `SELECT ${PROFILE_COLUMNS[engine]} FROM albums WHERE ${where}`),
        params,
      );
      const found = rows[0] && toProfile(rows[0]);
      if (found) known.remember(found.albumId, found.seq);
      return found;
    },

    async idOf(ref) {
      const remembered = 'seq' in ref ? known.idOfSeq(ref.seq) : known.has(ref.albumId) && ref.albumId;
      if (remembered) return remembered;
      const { where, params } = whereRef(ref);
      const { rows } = await db.execute<{ album_id: string; seq: number }>(
        `SELECT album_id, seq FROM albums WHERE ${where}`,
        params,
      );
      const [row] = rows;
      if (!row) return undefined;
      known.remember(row.album_id, Number(row.seq));
      return row.album_id;
    },
  };
}
