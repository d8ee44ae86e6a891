import { randomUUID } from 'node:crypto';
import { type Database, uuid } from './database.js';
import { ValidationError } from './errors.js';
import { type Album, DEFAULT_PAGE_SIZE, type NewAlbum } from './schemas.js';

/** An album as stored, with the server-side facts the API does not expose. */
export interface StoredAlbum extends Album {
  coverKey: string;
}

/** Verification's finding on one upload of a cover, identified by the object's ETag. */
export type CoverVerdict = { eTag: string } & (
  | { status: 'ready'; size: number; contentType: string; width: number; height: number }
  | { status: 'rejected'; reason: string }
);

export interface AlbumListOptions {
  artist?: string;
  limit?: number;
  cursor?: string;
}

export interface AlbumStore {
  /**
   * Stores a new album; its cover starts `pending`. The id is fresh unless the caller chose it, as one
   * that stores the cover before the album must.
   */
  create(input: NewAlbum, albumId?: string): Promise<StoredAlbum>;
  /** The album with this id, with its review counts, or undefined. */
  get(albumId: string): Promise<StoredAlbum | undefined>;
  /**
   * Records what verification found in the cover upload with this ETag. A verdict for the upload already
   * judged changes nothing, so a repeated event is harmless. Returns whether anything changed.
   */
  recordCoverVerdict(albumId: string, verdict: CoverVerdict): Promise<boolean>;
  /** Sets the cover back to `pending` for a new upload. */
  resetCover(albumId: string): Promise<void>;
  /** Whether an album with this id is stored; cheap, as albums are never deleted. */
  exists(albumId: string): Promise<boolean>;
  /** One page of albums in creation order, optionally by one artist, with the cursor of the next page. */
  list(options: AlbumListOptions): Promise<{ items: StoredAlbum[]; nextCursor: string | null }>;
}

const KNOWN_ALBUMS_LIMIT = 50_000;

/** Object key of an album's cover: derived from the id, so a client can never choose where it writes. */
export const coverKeyFor = (albumId: string): string => `covers/${albumId}`;

const COVER_KEY = /^covers\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The album a cover key belongs to, or undefined for a key {@link coverKeyFor} would not make. */
export const albumIdOfCoverKey = (key: string): string | undefined => COVER_KEY.exec(key)?.[1];

const ALBUM_COLUMNS = `
  album_id, seq, artist, title, year, cover_key, cover_status, cover_reason, cover_size, cover_content_type,
  cover_width, cover_height,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

/** Albums with their review counters; an album nobody reviewed yet has no counters row. */
const ALBUMS_WITH_COUNTS = `
  SELECT ${ALBUM_COLUMNS}, coalesce(likes, 0) AS likes, coalesce(dislikes, 0) AS dislikes
  FROM albums LEFT JOIN review_counts USING (album_id)`;

interface AlbumRow {
  [column: string]: unknown;
  album_id: string;
  seq: number;
  artist: string;
  title: string;
  year: number;
  cover_key: string;
  cover_status: Album['cover']['status'];
  cover_reason: string | null;
  cover_size: number | null;
  cover_content_type: string | null;
  cover_width: number | null;
  cover_height: number | null;
  created_at: string;
  likes?: number;
  dislikes?: number;
}

/**
 * The albums table behind domain verbs. All of its SQL lives here.
 *
 * @example
 * const albums = createAlbumStore(db);
 * const album = await albums.create({ artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 });
 */
export function createAlbumStore(db: Database): AlbumStore {
  // Albums are never deleted, so an id once seen stays valid for the life of the container.
  const knownAlbums = new Set<string>();
  const remember = (albumId: string) => {
    if (knownAlbums.size >= KNOWN_ALBUMS_LIMIT) knownAlbums.clear();
    knownAlbums.add(albumId);
  };
  return {
    async create(input, albumId = randomUUID()) {
      const { rows } = await db.execute<AlbumRow>(
        `INSERT INTO albums (album_id, artist, title, year, cover_key)
         VALUES (:albumId, :artist, :title, :year, :coverKey)
         RETURNING ${ALBUM_COLUMNS}`,
        { albumId: uuid(albumId), ...input, coverKey: coverKeyFor(albumId) },
      );
      return toAlbum(single(rows));
    },

    async get(albumId) {
      const { rows } = await db.execute<AlbumRow>(`${ALBUMS_WITH_COUNTS} WHERE album_id = :albumId`, {
        albumId: uuid(albumId),
      });
      return rows[0] && toAlbum(rows[0]);
    },

    async recordCoverVerdict(albumId, verdict) {
      const ready = verdict.status === 'ready';
      const { updatedCount } = await db.execute(
        `UPDATE albums
         SET cover_status = :status, cover_etag = :eTag, cover_reason = :reason, cover_size = :size,
             cover_content_type = :contentType, cover_width = :width, cover_height = :height
         WHERE album_id = :albumId AND cover_etag IS DISTINCT FROM :eTag`,
        {
          albumId: uuid(albumId),
          status: verdict.status,
          eTag: verdict.eTag,
          reason: ready ? null : verdict.reason,
          size: ready ? verdict.size : null,
          contentType: ready ? verdict.contentType : null,
          width: ready ? verdict.width : null,
          height: ready ? verdict.height : null,
        },
      );
      return updatedCount > 0;
    },

    async resetCover(albumId) {
      await db.execute(
        `UPDATE albums SET cover_status = 'pending', cover_etag = NULL, cover_reason = NULL
         WHERE album_id = :albumId`,
        { albumId: uuid(albumId) },
      );
    },

    async exists(albumId) {
      if (knownAlbums.has(albumId)) return true;
      const { rows } = await db.execute('SELECT 1 AS found FROM albums WHERE album_id = :albumId', {
        albumId: uuid(albumId),
      });
      if (rows.length > 0) remember(albumId);
      return rows.length > 0;
    },

    async list({ artist, limit = DEFAULT_PAGE_SIZE, cursor }) {
      const after = cursor === undefined ? 0 : decodeCursor(cursor);
      // One row past the page tells whether another page follows, without a COUNT.
      const { rows } = await db.execute<AlbumRow>(
        `${ALBUMS_WITH_COUNTS}
         WHERE seq > :after ${artist === undefined ? '' : 'AND lower(artist) = lower(:artist)'}
         ORDER BY seq
         LIMIT :fetch`,
        { after, fetch: limit + 1, ...(artist === undefined ? {} : { artist }) },
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toAlbum),
        nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
      };
    },
  };
}

function single(rows: AlbumRow[]): AlbumRow {
  const [row] = rows;
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return row;
}

function toAlbum(row: AlbumRow): StoredAlbum {
  return {
    albumId: row.album_id,
    artist: row.artist,
    title: row.title,
    year: row.year,
    createdAt: row.created_at,
    cover: {
      status: row.cover_status,
      ...(row.cover_status === 'rejected' && row.cover_reason ? { reason: row.cover_reason } : {}),
      ...(row.cover_status === 'ready'
        ? {
            contentType: row.cover_content_type ?? undefined,
            size: Number(row.cover_size),
            width: Number(row.cover_width),
            height: Number(row.cover_height),
          }
        : {}),
    },
    reviews: { likes: Number(row.likes ?? 0), dislikes: Number(row.dislikes ?? 0) },
    coverKey: row.cover_key,
  };
}

/** Cursors are opaque to clients: a version tag and the last seen position, base64url-encoded. */
function encodeCursor(seq: number): string {
  return Buffer.from(`v1:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match?.[1]) {
    throw new ValidationError('Invalid cursor: use the nextCursor of a previous page', [
      { field: 'cursor', message: 'is not a cursor this API issued' },
    ]);
  }
  return Number(match[1]);
}
