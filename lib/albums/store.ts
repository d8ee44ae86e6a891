import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Database,
  type EngineSql,
  forEachEngine,
  type Transaction,
  type TypedValue,
  uuid,
} from '../db/database.js';
import { ValidationError } from '../errors.js';
import { type Album, type AlbumChanges, DEFAULT_PAGE_SIZE, type NewAlbum } from '../schemas.js';

/** An album as stored, with the server-side facts the API does not expose. */
export interface StoredAlbum extends Album {
  /** Object key of the cover being shown; undefined until an upload has been verified. */
  coverKey?: string;
}

/** What judging a cover's bytes found: an image, with its facts, or a refusal, with the reason. */
type CoverJudgement =
  | { status: 'ready'; size: number; contentType: string; width: number; height: number }
  | { status: 'rejected'; reason: string };

/**
 * Verification's finding on one upload of a cover, identified by the object's ETag; a ready one names the
 * copy to show ({@link shownCoverKey}).
 */
export type CoverVerdict =
  | ({ eTag: string; shownKey: string } & Extract<CoverJudgement, { status: 'ready' }>)
  | ({ eTag: string } & Extract<CoverJudgement, { status: 'rejected' }>);

/**
 * A cover the API received with its album and judged itself: stored at `key` when ready; when rejected,
 * never stored, and `key` only names the upload in the album's `cover.upload`.
 */
export type ReceivedCover = { key: string } & (
  | ({ eTag: string } & Extract<CoverJudgement, { status: 'ready' }>)
  | Extract<CoverJudgement, { status: 'rejected' }>
);

/** An upload form handed out whose upload has not been judged yet. */
export interface PendingCoverUpload {
  albumId: string;
  key: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** What recording a verdict did: whether it took effect, and the cover objects it left unused. */
export interface RecordedVerdict {
  /** False when no album has this id (then nothing else is set). */
  found: boolean;
  /**
   * False when this upload is no longer pending (judged already: a repeated event, or a second object sent
   * with the same form) or a newer cover is already shown.
   */
  applied: boolean;
  /** The key of the cover shown once the verdict is recorded. */
  shownKey?: string;
  /** A cover that was shown until this verdict replaced it, now unused. */
  replacedKey?: string;
}

/**
 * How the course contract names an album: by its sequence number (the `seq` it was given when stored, its
 * course id) or by its UUID.
 */
export type AlbumRef = { seq: number } | { albumId: string };

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
   * {@link issueCoverUpload}), together: both or neither. Resolves to the album and the upload's key.
   */
  createWithUpload(
    input: NewAlbum,
    owner: string,
    expiresAt: Date,
  ): Promise<{ album: StoredAlbum; uploadKey: string }>;
  /**
   * Stores a new album with the id given, its year kept as the text sent, and its cover already judged (see
   * {@link receivedCoverKey}); one statement.
   */
  createWithReceivedCover(
    albumId: string,
    input: NewAlbumWithYearText,
    cover: ReceivedCover,
  ): Promise<AlbumProfile>;
  /** The album with this id, with its review counts, or undefined. */
  get(albumId: string): Promise<StoredAlbum | undefined>;
  /**
   * Records what verification found in the upload at `key` (one of {@link coverUploadKey}'s keys) with this
   * ETag, if that upload is still pending, and ends its pending state in the same statement: each form
   * changes the album at most once. A ready upload issued after the cover shown makes its copy
   * (`verdict.shownKey`) the cover shown; a rejected one is recorded with its reason, and a ready cover stays
   * shown. A verdict on an upload no longer pending, or older than the cover shown, changes nothing, so late
   * and repeated events, and objects sent again with a used form, are harmless.
   */
  recordCoverVerdict(albumId: string, key: string, verdict: CoverVerdict): Promise<RecordedVerdict>;
  /**
   * Records that an upload form for `key` (one of {@link coverUploadKey}'s keys) was handed out, valid until
   * `expiresAt`: verification judges an upload only while it is pending. False when no album has this id.
   */
  issueCoverUpload(albumId: string, key: string, expiresAt: Date): Promise<boolean>;
  /** Up to `limit` uploads still pending that were issued before `issuedBefore`, oldest first. */
  pendingCoverUploads(issuedBefore: Date, limit: number): Promise<PendingCoverUpload[]>;
  /** Forgets a pending upload whose form expired with nothing uploaded; forgetting a judged one changes nothing. */
  dropPendingCoverUpload(key: string): Promise<void>;
  /** The album `ref` names, as the course contract shows it, or undefined; one statement. */
  profile(ref: AlbumRef): Promise<AlbumProfile | undefined>;
  /**
   * The UUID of the album `ref` names, or undefined; remembered for the container's life, so an album
   * deleted since may still resolve (what is then sent for it is dropped; see {@link AlbumStore.remove}).
   */
  resolve(ref: AlbumRef): Promise<string | undefined>;
  /**
   * Whether an album with this id is stored; cheap, as a yes is remembered for the container's life (an
   * album deleted since may still be said to exist: reviews then sent for it are dropped by the consumer).
   */
  exists(albumId: string): Promise<boolean>;
  /**
   * One page of albums in creation order, oldest or newest first, optionally by one artist or one owner, or
   * both, with the cursor of the next page (which only continues a listing in the same order).
   */
  list(options: AlbumListOptions): Promise<{ items: StoredAlbum[]; nextCursor: string | null }>;
}

const KNOWN_ALBUMS_LIMIT = 50_000;

/**
 * A fresh object key for one upload of an album's cover: `covers/{albumId}/{uploadId}`, where the upload id
 * is the issue time in zero-padded milliseconds and a random suffix, so keys sort in the order they were
 * issued. The server chooses it, so a client can never choose where it writes; and each upload has its
 * own object, so a replacement never overwrites the cover being shown.
 */
export function coverUploadKey(albumId: string, now: Date = new Date()): string {
  return `covers/${albumId}/${uploadId(now)}`;
}

/** Where covers the API received itself are kept: outside `covers/`, whose uploads the bucket notifies. */
const RECEIVED_COVERS_PREFIX = 'received-covers/';

/**
 * The object key of a cover the API received with its album (the course contract's POST) and judged itself:
 * `received-covers/{albumId}/{uploadId}`. Outside `covers/`, so the bucket does not notify the verifier to
 * read back and judge again what the function already judged. Such a cover is stored with its album, so it
 * is older than any upload to the album's {@link coverUploadKey} keys.
 */
export function receivedCoverKey(albumId: string, now: Date = new Date()): string {
  return `${RECEIVED_COVERS_PREFIX}${albumId}/${uploadId(now)}`;
}

/** Where verified uploads are shown from: outside `covers/`, where a used form could still write. */
const SHOWN_COVERS_PREFIX = 'shown-covers/';

/**
 * The key prefixes under which every object of an album's own covers lies: its uploads (and its cover from
 * before each upload had its own key) and their verified copies. Removing what they name removes all of
 * them. UUIDs have one length, so they name no other album's.
 */
export const coverKeyPrefixes = (albumId: string): string[] => [
  `covers/${albumId}`,
  `${SHOWN_COVERS_PREFIX}${albumId}`,
];

/**
 * The object key a verified upload is shown from: `shown-covers/{albumId}/{uploadId}-{eTag}`. A form stays
 * valid for minutes after its first use, so the object at its key can be replaced; the copy the verifier
 * writes here, of the bytes it judged, cannot be. The ETag keeps two objects sent with one form apart, so a
 * copy that lost the race to be recorded can be removed without touching the one shown. Copies of one
 * album's uploads sort in issue order, after any `covers/` or `received-covers/` key.
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

/** The album a cover key belongs to, or undefined for a key {@link coverUploadKey} would not make. */
export const albumIdOfCoverKey = (key: string): string | undefined => COVER_KEY.exec(key)?.[1];

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

const PROFILE_COLUMNS: EngineSql = {
  postgresql: 'album_id, seq, artist, title, coalesce(year_text, year::text) AS year',
  mysql: 'album_id, seq, artist, title, coalesce(year_text, cast(year AS char)) AS year',
};

/** The condition on the albums table that picks the album a reference names, and its named parameters. */
export function whereRef(ref: AlbumRef): {
  where: string;
  params: { seq: number } | { albumId: TypedValue };
} {
  return 'seq' in ref
    ? { where: 'seq = :seq', params: { seq: ref.seq } }
    : { where: 'album_id = :albumId', params: { albumId: uuid(ref.albumId) } };
}

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

const ISSUE_UPLOAD_OF_NEW_ALBUM = `
  INSERT INTO pending_cover_uploads (upload_key, album_id, issued_ms, expires_ms)
  SELECT :uploadKey, album_id, :issuedMs, :expiresMs FROM album`;

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

const INSERT_ALBUM_WITH_RECEIVED_COVER: EngineSql = forEachEngine(
  (engine) => `
  INSERT INTO albums (album_id, artist, title, year, year_text, cover_upload_key, cover_key, cover_status,
                      cover_reason, cover_etag, cover_size, cover_content_type, cover_width, cover_height)
  VALUES (:albumId, :artist, :title, :year, :yearText, :uploadKey, :coverKey, :status,
          :reason, :eTag, :size, :contentType, :width, :height)
  ${engine === 'mysql' ? '' : `RETURNING ${PROFILE_COLUMNS.postgresql}`}`,
);

/**
 * A verdict's new cover columns, from the row's values before the update. MySQL assigns left to right and
 * later assignments see earlier ones, so `cover_key`, which the others read, is assigned last.
 */
const VERDICT_ASSIGNMENTS = `
  cover_upload_key = :key,
  cover_reason = :reason,
  cover_status = CASE WHEN :ready THEN 'ready' WHEN cover_key IS NULL THEN 'rejected' ELSE cover_status END,
  cover_etag = CASE WHEN :ready THEN :eTag ELSE cover_etag END,
  cover_size = CASE WHEN :ready THEN :size ELSE cover_size END,
  cover_content_type = CASE WHEN :ready THEN :contentType ELSE cover_content_type END,
  cover_width = CASE WHEN :ready THEN :width ELSE cover_width END,
  cover_height = CASE WHEN :ready THEN :height ELSE cover_height END,
  cover_key = CASE WHEN :ready THEN :shownKey ELSE cover_key END`;

/** A judgement's cover columns as named parameters: the image's facts when ready, the reason when not. */
function judgementParams(judgement: CoverJudgement) {
  const ready = judgement.status === 'ready';
  return {
    reason: ready ? null : judgement.reason,
    size: ready ? judgement.size : null,
    contentType: ready ? judgement.contentType : null,
    width: ready ? judgement.width : null,
    height: ready ? judgement.height : null,
  };
}

/**
 * Whether the upload at `:key` was issued after the cover shown: copies of uploads (`:ordering`, the upload's
 * shown key) sort in issue order after the keys of older schemes, and a cover received with the album
 * precedes them all.
 */
const NEWER_THAN_SHOWN = `(cover_key IS NULL OR cover_key < :ordering OR cover_key LIKE '${RECEIVED_COVERS_PREFIX}%')`;

// One statement on PostgreSQL: the pending upload is claimed (its row deleted, which a concurrent verdict on
// the same key waits for and then finds gone), the album row locked while the ordering check and the swap
// happen, and the key shown before comes back so the caller can remove what is no longer used.
// MySQL has neither writable CTEs nor RETURNING: there the album row is locked, the upload claimed and the
// album updated in one transaction.
const RECORD_VERDICT: EngineSql = {
  postgresql: `
    WITH claimed AS (
      DELETE FROM pending_cover_uploads WHERE upload_key = :key AND album_id = :albumId RETURNING album_id
    ), previous AS (
      SELECT albums.album_id, cover_key AS previous_key
      FROM albums JOIN claimed USING (album_id) FOR UPDATE OF albums
    )
    UPDATE albums SET ${VERDICT_ASSIGNMENTS}
    FROM previous
    WHERE albums.album_id = previous.album_id AND ${NEWER_THAN_SHOWN}
    RETURNING albums.cover_key AS shown_key, previous.previous_key`,
  mysql: `
    UPDATE albums SET ${VERDICT_ASSIGNMENTS}
    WHERE album_id = :albumId AND ${NEWER_THAN_SHOWN}`,
};

const CLAIM_UPLOAD = 'DELETE FROM pending_cover_uploads WHERE upload_key = :key AND album_id = :albumId';

const ISSUE_UPLOAD = `
  INSERT INTO pending_cover_uploads (upload_key, album_id, issued_ms, expires_ms)
  SELECT :key, album_id, :issuedMs, :expiresMs FROM albums WHERE album_id = :albumId`;

const PENDING_UPLOADS = `
  SELECT upload_key, album_id, issued_ms, expires_ms FROM pending_cover_uploads
  WHERE issued_ms < :before ORDER BY issued_ms LIMIT :limit`;

const LOCK_COVER = 'SELECT cover_key FROM albums WHERE album_id = :albumId FOR UPDATE';

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
 * The albums table behind domain verbs. All of its SQL lives here.
 *
 * @example
 * const albums = createAlbumStore(db); // `now`, the clock uploads are issued by, is injected in tests
 * const album = await albums.create({ artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 }, owner);
 */
export function createAlbumStore(db: Database, now: () => Date = () => new Date()): AlbumStore {
  // An id once seen is taken as valid for the life of the container: only its owner deletes an album, and
  // what is then sent for it by another container that still remembers it is dropped on the way in.
  const knownAlbums = new Set<string>();
  const remember = (albumId: string) => {
    if (knownAlbums.size >= KNOWN_ALBUMS_LIMIT) knownAlbums.clear();
    knownAlbums.add(albumId);
  };
  const bySeq = new Map<number, string>();
  const rememberSeq = (seq: number, albumId: string) => {
    if (bySeq.size >= KNOWN_ALBUMS_LIMIT) bySeq.clear();
    bySeq.set(seq, albumId);
    remember(albumId);
  };
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
  const profile = async (ref: AlbumRef) => {
    const { where, params } = whereRef(ref);
    const { rows } = await db.execute<ProfileRow>(
      forEachEngine((engine) => `SELECT ${PROFILE_COLUMNS[engine]} FROM albums WHERE ${where}`),
      params,
    );
    return rows[0] && toProfile(rows[0]);
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

    async createWithReceivedCover(albumId, { artist, title, year, yearText }, cover) {
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
        knownAlbums.delete(albumId);
        return current;
      });
    },

    async recordCoverVerdict(albumId, key, verdict) {
      const ready = verdict.status === 'ready';
      const shownKey = ready ? verdict.shownKey : null;
      const params = {
        albumId: uuid(albumId),
        key,
        shownKey,
        // A rejected upload is ordered as a copy of it would be: after the covers issued before it.
        ordering: shownCoverKey(key, ''),
        eTag: verdict.eTag,
        ready,
        ...judgementParams(verdict),
      };
      if (db.engine === 'mysql') {
        return db.transaction(async (tx) => {
          const { rows } = await tx.execute<{ cover_key: string | null }>(LOCK_COVER, {
            albumId: params.albumId,
          });
          const [locked] = rows;
          if (!locked) return { found: false, applied: false };
          const previousKey = locked.cover_key ?? undefined;
          const claimed = await tx.execute(CLAIM_UPLOAD, { key, albumId: params.albumId });
          if (claimed.updatedCount === 0) return { found: true, applied: false, shownKey: previousKey };
          const { updatedCount } = await tx.execute(RECORD_VERDICT, params);
          if (updatedCount === 0) return { found: true, applied: false, shownKey: previousKey };
          const shown = shownKey ?? previousKey;
          const replacedKey = previousKey !== shown ? previousKey : undefined;
          return { found: true, applied: true, shownKey: shown, replacedKey };
        });
      }
      const { rows } = await db.execute<{ shown_key: string | null; previous_key: string | null }>(
        RECORD_VERDICT,
        params,
      );
      const [row] = rows;
      if (!row) {
        const album = await get(albumId);
        return { found: album !== undefined, applied: false, shownKey: album?.coverKey };
      }
      const shown = row.shown_key ?? undefined;
      const replacedKey =
        row.previous_key !== null && row.previous_key !== shown ? row.previous_key : undefined;
      return { found: true, applied: true, shownKey: shown, replacedKey };
    },

    async issueCoverUpload(albumId, key, expiresAt) {
      const { updatedCount } = await db.execute(ISSUE_UPLOAD, {
        key,
        albumId: uuid(albumId),
        issuedMs: now().getTime(),
        expiresMs: expiresAt.getTime(),
      });
      return updatedCount > 0;
    },

    async pendingCoverUploads(issuedBefore, limit) {
      const { rows } = await db.execute<{
        upload_key: string;
        album_id: string;
        issued_ms: number;
        expires_ms: number;
      }>(PENDING_UPLOADS, { before: issuedBefore.getTime(), limit });
      return rows.map((row) => ({
        albumId: row.album_id,
        key: row.upload_key,
        issuedAt: new Date(Number(row.issued_ms)),
        expiresAt: new Date(Number(row.expires_ms)),
      }));
    },

    async dropPendingCoverUpload(key) {
      await db.execute('DELETE FROM pending_cover_uploads WHERE upload_key = :key', { key });
    },

    async profile(ref) {
      const found = await profile(ref);
      if (found) rememberSeq(found.seq, found.albumId);
      return found;
    },

    async resolve(ref) {
      if ('seq' in ref) {
        const known = bySeq.get(ref.seq);
        if (known) return known;
      } else if (knownAlbums.has(ref.albumId)) {
        return ref.albumId;
      }
      const { where, params } = whereRef(ref);
      const { rows } = await db.execute<{ album_id: string; seq: number }>(
        `SELECT album_id, seq FROM albums WHERE ${where}`,
        params,
      );
      const [row] = rows;
      if (!row) return undefined;
      rememberSeq(Number(row.seq), row.album_id);
      return row.album_id;
    },

    async exists(albumId) {
      if (knownAlbums.has(albumId)) return true;
      const { rows } = await db.execute(EXISTS, { albumId: uuid(albumId) });
      if (rows.length > 0) remember(albumId);
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
