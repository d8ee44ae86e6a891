import { type Database, type EngineSql, uuid } from '../db/database.js';
import { RECEIVED_COVERS_PREFIX, shownCoverKey } from './keys.js';

/** What judging a cover's bytes found: an image, with its facts, or a refusal, with the reason. */
export type CoverJudgement =
  | { status: 'ready'; size: number; contentType: string; width: number; height: number }
  | { status: 'rejected'; reason: string };

/**
 * Verification's finding on one upload of a cover, identified by the object's ETag; a ready one names the
 * copy to show ({@link shownCoverKey}).
 */
export type CoverVerdict =
  | ({ eTag: string; shownKey: string } & Extract<CoverJudgement, { status: 'ready' }>)
  | ({ eTag: string } & Extract<CoverJudgement, { status: 'rejected' }>);

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

/** The lifecycle of an album's cover uploads: forms handed out, pending until a verdict on them is recorded. */
export interface CoverUploads {
  /**
   * Records that an upload form for `key` (one of `coverUploadKey`'s keys) was handed out, valid until
   * `expiresAt`: verification judges an upload only while it is pending. False when no album has this id.
   */
  issue(albumId: string, key: string, expiresAt: Date): Promise<boolean>;
  /**
   * Records what verification found in the upload at `key` with this ETag, if that upload is still pending,
   * and ends its pending state in the same statement: each form changes the album at most once. A ready
   * upload issued after the cover shown makes its copy (`verdict.shownKey`) the cover shown; a rejected one
   * is recorded with its reason, and a ready cover stays shown. A verdict on an upload no longer pending, or
   * older than the cover shown, changes nothing, so late and repeated events, and objects sent again with a
   * used form, are harmless.
   */
  recordVerdict(albumId: string, key: string, verdict: CoverVerdict): Promise<RecordedVerdict>;
  /** Up to `limit` uploads still pending that were issued before `issuedBefore`, oldest first. */
  pending(issuedBefore: Date, limit: number): Promise<PendingCoverUpload[]>;
  /** Forgets a pending upload whose form expired with nothing uploaded; forgetting a judged one changes nothing. */
  drop(key: string): Promise<void>;
}

/**
 * Records a form handed out for an album's upload, in the statement that inserts the album (a CTE named
 * `album` that returns its `album_id`); PostgreSQL only, as MySQL has no writable CTEs.
 */
export const ISSUE_UPLOAD_OF_NEW_ALBUM = `
  INSERT INTO pending_cover_uploads (upload_key, album_id, issued_ms, expires_ms)
  SELECT :uploadKey, album_id, :issuedMs, :expiresMs FROM album`;

/** Records a form handed out for an album's upload, if the album exists. */
export const ISSUE_UPLOAD = `
  INSERT INTO pending_cover_uploads (upload_key, album_id, issued_ms, expires_ms)
  SELECT :key, album_id, :issuedMs, :expiresMs FROM albums WHERE album_id = :albumId`;

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

/**
 * A judgement's cover columns as named parameters (`:reason`, `:size`, `:contentType`, `:width`,
 * `:height`): the image's facts when ready, the reason when not.
 *
 * @example
 * await db.execute(sql, { albumId, ...judgementParams({ status: 'rejected', reason: 'not an image' }) });
 */
export function judgementParams(judgement: CoverJudgement) {
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

const PENDING_UPLOADS = `
  SELECT upload_key, album_id, issued_ms, expires_ms FROM pending_cover_uploads
  WHERE issued_ms < :before ORDER BY issued_ms LIMIT :limit`;

const DROP_UPLOAD = 'DELETE FROM pending_cover_uploads WHERE upload_key = :key';

const LOCK_COVER = 'SELECT cover_key FROM albums WHERE album_id = :albumId FOR UPDATE';

const SHOWN_COVER = 'SELECT cover_key FROM albums WHERE album_id = :albumId';

/**
 * The pending uploads table, and the album's cover columns a verdict sets, behind domain verbs. All of
 * their SQL lives here.
 *
 * @example
 * const uploads = createCoverUploads(db); // `now`, the clock forms are issued by, is injected in tests
 * await uploads.issue(albumId, coverUploadKey(albumId), new Date(upload.expiresAt));
 */
export function createCoverUploads(db: Database, now: () => Date = () => new Date()): CoverUploads {
  return {
    async issue(albumId, key, expiresAt) {
      const { updatedCount } = await db.execute(ISSUE_UPLOAD, {
        key,
        albumId: uuid(albumId),
        issuedMs: now().getTime(),
        expiresMs: expiresAt.getTime(),
      });
      return updatedCount > 0;
    },

    async recordVerdict(albumId, key, verdict) {
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
        const { rows: albums } = await db.execute<{ cover_key: string | null }>(SHOWN_COVER, {
          albumId: params.albumId,
        });
        const [album] = albums;
        return { found: album !== undefined, applied: false, shownKey: album?.cover_key ?? undefined };
      }
      const shown = row.shown_key ?? undefined;
      const replacedKey =
        row.previous_key !== null && row.previous_key !== shown ? row.previous_key : undefined;
      return { found: true, applied: true, shownKey: shown, replacedKey };
    },

    async pending(issuedBefore, limit) {
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

    async drop(key) {
      await db.execute(DROP_UPLOAD, { key });
    },
  };
}
