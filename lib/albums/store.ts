import { randomUUID } from 'node:crypto';
import { coverUploadKey, shownCoverKey } from '../covers/keys.js';
import { ISSUE_UPLOAD, ISSUE_UPLOAD_OF_NEW_ALBUM } from '../covers/uploads.js';
import { type Database, type EngineSql, forEachEngine, type Transaction, uuid } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { type Album, type AlbumChanges, DEFAULT_PAGE_SIZE, type NewAlbum } from '../schemas.js';
import { createKnownAlbumIds, type KnownAlbumIds } from './known-ids.js';

/** An album as stored, with the server-side facts the API does not expose. */
export interface StoredAlbum extends Album {
  /** Object key of the cover being shown; undefined until an upload has been verified. */
  coverKey?: string;
}

/** Which way a listing runs through the albums' creation order. */
export type AlbumListOrder = 'oldest' | 'newest';

export interface AlbumListOptions {
  artist?: string;
  owner?: string;
  limit?: number;
  cursor?: string;
  /** `oldest` first by default. */
  order?: AlbumListOrder;
}

/**
 * Decides, with the album locked, whether a change may go ahead: throws to refuse it (nothing is changed).
 * It sees the album as stored, with its counts.
 */
export type ChangeGuard = (current: StoredAlbum) => void | Promise<void>;

export interface AlbumStore {
  /**
   * Stores a new album created by `owner` (a user's `sub`); its cover starts `pending`, until an upload to
   * one of its cover keys is verified.
   */
  create(input: NewAlbum, owner: string): Promise<StoredAlbum>;
  /**
   * Changes an album's artist, title or year if `guard` lets it, in one transaction with the album locked;
   * resolves to the album as changed, or undefined when there is no such album.
   */
  update(albumId: string, changes: AlbumChanges, guard: ChangeGuard): Promise<StoredAlbum | undefined>;
  /**
   * Removes an album if `guard` lets it, in one transaction with the album locked: its votes, its reviews
   * and their counters, and the album. Resolves to the album as it was, or undefined when there is none.
   * Its cover objects are the caller's to remove.
   */
  remove(albumId: string, guard: ChangeGuard): Promise<StoredAlbum | undefined>;
  /**
   * Stores a new album created by `owner` and its first cover upload, pending until `expiresAt` (see
   * `CoverUploads.issue`), together: both or neither. Resolves to the album and the upload's key.
   */
  createWithUpload(
    input: NewAlbum,
    owner: string,
    expiresAt: Date,
  ): Promise<{ album: StoredAlbum; uploadKey: string }>;
  /** The album with this id, with its review counts, or undefined. */
  get(albumId: string): Promise<StoredAlbum | undefined>;
  /**
   * Whether an album with this id is stored; cheap, as a yes is remembered (see {@link KnownAlbumIds}): an
   * album deleted since by another container may still be said to exist, and reviews then sent for it are
   * dropped by the consumer.
   */
  exists(albumId: string): Promise<boolean>;
  /**
   * One page of albums in creation order, oldest or newest first, optionally by one artist or one owner, or
   * both, with the cursor of the next page (which only continues a listing in the same order).
   */
  list(options: AlbumListOptions): Promise<{ items: StoredAlbum[]; nextCursor: string | null }>;
}

// Each statement below in both engines' SQL. MySQL keeps created_at as a UTC DATETIME (the Data API's
// sessions run in UTC) and the artist's lower case in a column of its own, indexed (see its migrations).
const ALBUM_COLUMNS: EngineSql = forEachEngine(
  (engine) => `
  album_id, seq, artist, title, year, owner, cover_key, cover_upload_key, cover_status, cover_reason, cover_size,
  cover_content_type, cover_width, cover_height, ${
    engine === 'mysql'
      ? `concat(left(date_format(created_at, '%Y-%m-%dT%H:%i:%s.%f'), 23), 'Z') AS created_at`
      : `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`
  }`,
);

/** Albums with their review counters; an album nobody reviewed yet has no counters row. */
const ALBUMS_WITH_COUNTS = forEachEngine(
  (engine) => `
  SELECT ${ALBUM_COLUMNS[engine]}, coalesce(likes, 0) AS likes, coalesce(dislikes, 0) AS dislikes
  FROM albums LEFT JOIN review_counts USING (album_id)`,
);

const GET_ALBUM = forEachEngine((engine) => `${ALBUMS_WITH_COUNTS[engine]} WHERE album_id = :albumId`);

// MySQL has no RETURNING: its INSERT returns no row, and the album is read back (see `create`).
const INSERT_ALBUM: EngineSql = {
  postgresql: `INSERT INTO albums (album_id, artist, title, year, owner)
               VALUES (:albumId, :artist, :title, :year, :owner)
               RETURNING ${ALBUM_COLUMNS.postgresql}`,
  mysql: `INSERT INTO albums (album_id, artist, title, year, owner)
          VALUES (:albumId, :artist, :title, :year, :owner)`,
};

// One statement on PostgreSQL; MySQL, without writable CTEs, runs the two INSERTs in a transaction.
const INSERT_ALBUM_WITH_UPLOAD = `
  WITH album AS (${INSERT_ALBUM.postgresql}), upload AS (${ISSUE_UPLOAD_OF_NEW_ALBUM})
  SELECT * FROM album`;

/** Locks an album's row for a change decided in the same transaction. */
const LOCK_ALBUM = 'SELECT album_id FROM albums WHERE album_id = :albumId FOR UPDATE';

/** Sets the fields given and keeps the others: a NULL parameter means "unchanged". */
const UPDATE_ALBUM = `
  UPDATE albums SET artist = coalesce(:artist, artist), title = coalesce(:title, title),
                    year = coalesce(:year, year)
  WHERE album_id = :albumId`;

/**
 * What an album leaves in other tables, removed before the album itself (their foreign keys name it). The
 * review ledger goes too: an anonymous review redelivered after the album is gone is dropped, as for any
 * album that does not exist.
 */
const REMOVE_ALBUM = [
  'DELETE FROM pending_cover_uploads WHERE album_id = :albumId',
  'DELETE FROM votes WHERE album_id = :albumId',
  'DELETE FROM review_ledger WHERE album_id = :albumId',
  'DELETE FROM review_counts WHERE album_id = :albumId',
  'DELETE FROM albums WHERE album_id = :albumId',
];

const EXISTS = 'SELECT 1 AS found FROM albums WHERE album_id = :albumId';

/**
 * A page of albums in creation order, oldest first from after `:from` or newest first from before it (both
 * ways run along the same indexes): all, one artist's (matched ignoring case), one owner's (matched exactly),
 * or one artist's of one owner's.
 */
const listSql = (order: AlbumListOrder, filter: { artist: boolean; owner: boolean }): EngineSql =>
  forEachEngine(
    (engine) => `${ALBUMS_WITH_COUNTS[engine]}
    WHERE ${order === 'oldest' ? 'seq > :from' : 'seq < :from'}
      ${filter.artist ? `AND ${engine === 'mysql' ? 'artist_lower' : 'lower(artist)'} = lower(:artist)` : ''}
      ${filter.owner ? 'AND owner = :owner' : ''}
    ORDER BY seq ${order === 'oldest' ? 'ASC' : 'DESC'}
    LIMIT :fetch`,
  );
const listsInOrder = (order: AlbumListOrder) => ({
  all: listSql(order, { artist: false, owner: false }),
  byArtist: listSql(order, { artist: true, owner: false }),
  byOwner: listSql(order, { artist: false, owner: true }),
  byArtistOfOwner: listSql(order, { artist: true, owner: true }),
});
const LISTS = { oldest: listsInOrder('oldest'), newest: listsInOrder('newest') };

/** Where a listing starts when no cursor continues one: before the first album, or after the last. */
const LIST_START: Record<AlbumListOrder, number> = { oldest: 0, newest: Number.MAX_SAFE_INTEGER };

interface AlbumRow {
  [column: string]: unknown;
  album_id: string;
  seq: number;
  artist: string;
  title: string;
  year: number | null;
  owner: string | null;
  cover_key: string | null;
  cover_upload_key: string | null;
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
 * The albums table as the album API keeps it, behind domain verbs. All of its SQL lives here; a cover's
 * verdict is `CoverUploads`', and the course contract's albums are `CourseAlbumStore`'s.
 *
 * @example
 * const albums = createAlbumStore(db, { known }); // `now`, the clock uploads are issued by, is injected in tests
 * const album = await albums.create({ artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 }, owner);
 */
export function createAlbumStore(
  db: Database,
  {
    now = () => new Date(),
    known = createKnownAlbumIds(),
  }: {
    /** The clock uploads are issued by. */
    now?: () => Date;
    /** The ids this container has seen stored; shared with the course's store where both run. */
    known?: KnownAlbumIds;
  } = {},
): AlbumStore {
  const getIn = async (tx: Transaction, albumId: string) => {
    const { rows } = await tx.execute<AlbumRow>(GET_ALBUM, { albumId: uuid(albumId) });
    return rows[0] && toAlbum(rows[0]);
  };
  const get = (albumId: string) => getIn(db, albumId);
  /** Locks the album, reads it, and lets `guard` decide; undefined when there is no such album. */
  const lockedForChange = async (tx: Transaction, albumId: string, guard: ChangeGuard) => {
    const { rows } = await tx.execute(LOCK_ALBUM, { albumId: uuid(albumId) });
    if (rows.length === 0) return undefined;
    const current = await getIn(tx, albumId);
    if (!current) return undefined;
    await guard(current);
    return current;
  };
  return {
    async create(input, owner) {
      const albumId = randomUUID();
      const { rows } = await db.execute<AlbumRow>(INSERT_ALBUM, { albumId: uuid(albumId), ...input, owner });
      const [row] = rows;
      if (row) return toAlbum(row);
      const stored = await get(albumId); // MySQL: read back what the INSERT could not return
      if (!stored) throw new Error(`Album ${albumId} was not stored`);
      return stored;
    },

    async createWithUpload(input, owner, expiresAt) {
      const albumId = randomUUID();
      const uploadKey = coverUploadKey(albumId, now());
      const album = { albumId: uuid(albumId), ...input, owner };
      const upload = { issuedMs: now().getTime(), expiresMs: expiresAt.getTime() };
      if (db.engine === 'mysql') {
        return db.transaction(async (tx) => {
          await tx.execute(INSERT_ALBUM, album);
          await tx.execute(ISSUE_UPLOAD, { albumId: album.albumId, key: uploadKey, ...upload });
          const { rows } = await tx.execute<AlbumRow>(GET_ALBUM, { albumId: album.albumId });
          if (!rows[0]) throw new Error(`Album ${albumId} was not stored`);
          return { album: toAlbum(rows[0]), uploadKey };
        });
      }
      const { rows } = await db.execute<AlbumRow>(INSERT_ALBUM_WITH_UPLOAD, {
        ...album,
        uploadKey,
        ...upload,
      });
      if (!rows[0]) throw new Error(`Album ${albumId} was not stored`);
      return { album: toAlbum(rows[0]), uploadKey };
    },

    get,

    update(albumId, { artist = null, title = null, year = null }, guard) {
      return db.transaction(async (tx) => {
        if (!(await lockedForChange(tx, albumId, guard))) return undefined;
        await tx.execute(UPDATE_ALBUM, { albumId: uuid(albumId), artist, title, year });
        return getIn(tx, albumId);
      });
    },

    remove(albumId, guard) {
      return db.transaction(async (tx) => {
        const current = await lockedForChange(tx, albumId, guard);
        if (!current) return undefined;
        for (const statement of REMOVE_ALBUM) await tx.execute(statement, { albumId: uuid(albumId) });
        known.forget(albumId);
        return current;
      });
    },

    async exists(albumId) {
      if (known.has(albumId)) return true;
      const { rows } = await db.execute(EXISTS, { albumId: uuid(albumId) });
      if (rows.length > 0) known.remember(albumId);
      return rows.length > 0;
    },

    async list({ artist, owner, limit = DEFAULT_PAGE_SIZE, cursor, order = 'oldest' }) {
      const from = cursor === undefined ? LIST_START[order] : decodeCursor(cursor, order);
      const lists = LISTS[order];
      const sql =
        artist === undefined
          ? owner === undefined
            ? lists.all
            : lists.byOwner
          : owner === undefined
            ? lists.byArtist
            : lists.byArtistOfOwner;
      // One row past the page tells whether another page follows, without a COUNT.
      const { rows } = await db.execute<AlbumRow>(sql, {
        from,
        fetch: limit + 1,
        ...(artist === undefined ? {} : { artist }),
        ...(owner === undefined ? {} : { owner }),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toAlbum),
        nextCursor: rows.length > limit && last ? encodeCursor(last.seq, order) : null,
      };
    },
  };
}

function toAlbum(row: AlbumRow): StoredAlbum {
  return {
    albumId: row.album_id,
    artist: row.artist,
    title: row.title,
    year: row.year,
    createdAt: row.created_at,
    owner: row.owner,
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
      ...(row.cover_upload_key === null ? {} : { upload: judgedUpload(row, row.cover_upload_key) }),
    },
    reviews: { likes: Number(row.likes ?? 0), dislikes: Number(row.dislikes ?? 0) },
    ...(row.cover_key === null ? {} : { coverKey: row.cover_key }),
  };
}

/** The newest upload judged: the cover shown if it was accepted, otherwise refused for `cover_reason`. */
function judgedUpload(row: AlbumRow, key: string): NonNullable<Album['cover']['upload']> {
  const shown =
    row.cover_key !== null && (key === row.cover_key || row.cover_key.startsWith(shownCoverKey(key, '')));
  return shown
    ? { key, status: 'ready' }
    : { key, status: 'rejected', reason: row.cover_reason ?? 'refused' };
}

/**
 * Cursors are opaque to clients: a version tag, the order of the listing they continue (oldest first when
 * absent, as cursors were before there was a choice) and the last seen position, base64url-encoded.
 */
function encodeCursor(seq: number, order: AlbumListOrder): string {
  return Buffer.from(order === 'oldest' ? `v1:${seq}` : `v1:${order}:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string, order: AlbumListOrder): number {
  const match = /^v1:(?:(newest):)?(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match?.[2]) {
    throw new ValidationError('Invalid cursor: use the nextCursor of a previous page', [
      { field: 'cursor', message: 'is not a cursor this API issued' },
    ]);
  }
  if ((match[1] ?? 'oldest') !== order) {
    throw new ValidationError('Invalid cursor: it continues a listing in the other order', [
      { field: 'cursor', message: `continues a listing ${match[1] ?? 'oldest'} first, not ${order} first` },
    ]);
  }
  return Number(match[2]);
}
