import { type AlbumRef, whereRef } from '../course/album-ref.js';
import { type Database, type EngineSql, json } from '../db/database.js';
import type { ReviewCounts, ReviewKind } from '../schemas.js';

/** A review as the API accepted it; the id is the API's, so every delivery of it is recognisable. */
export interface Review {
  reviewId: string;
  albumId: string;
  kind: ReviewKind;
}

export interface ReviewLedger {
  /**
   * Applies reviews exactly once, in one statement: ids already in the ledger, or repeated in the batch,
   * change nothing. Returns how many were newly applied.
   */
  apply(reviews: Review[]): Promise<number>;
  /**
   * The counts of the album `ref` names, by its UUID or its course sequence number (zero when it has none),
   * or undefined when there is no such album; one statement.
   */
  counts(ref: AlbumRef): Promise<ReviewCounts | undefined>;
}

// One statement records the new ids and adds exactly those to the counters, so it either happens whole or
// not at all. Totals are upserted in album order, so concurrent batches lock rows in the same order.
// MySQL has no writable CTE: its INSERT records the new ids (IGNORE skips those already in the ledger, or
// repeated in the batch), and the ledger's trigger adds each recorded review to its album's counters
// within the same statement (db/migrations/mysql/002_create_reviews.sql). Rows go in album order, so
// concurrent batches lock counters in the same order there too; the count applied is the rows inserted.
const APPLY_REVIEWS: EngineSql = {
  postgresql: `
WITH incoming AS (
  SELECT DISTINCT ON (review_id) review_id, album_id, kind
  FROM jsonb_to_recordset(CAST(:reviews AS jsonb)) AS r(review_id uuid, album_id uuid, kind text)
  -- The API only accepts reviews of stored albums; a message naming another is dropped, not retried forever.
  WHERE EXISTS (SELECT 1 FROM albums WHERE albums.album_id = r.album_id)
  ORDER BY review_id
), recorded AS (
  INSERT INTO review_ledger (review_id, album_id, kind)
  SELECT review_id, album_id, kind FROM incoming
  ON CONFLICT (review_id) DO NOTHING
  RETURNING album_id, kind
), totals AS (
  SELECT album_id,
         count(*) FILTER (WHERE kind = 'like') AS likes,
         count(*) FILTER (WHERE kind = 'dislike') AS dislikes
  FROM recorded
  GROUP BY album_id
), counted AS (
  INSERT INTO review_counts AS counts (album_id, likes, dislikes)
  SELECT album_id, likes, dislikes FROM totals ORDER BY album_id
  ON CONFLICT (album_id) DO UPDATE
    SET likes = counts.likes + EXCLUDED.likes, dislikes = counts.dislikes + EXCLUDED.dislikes
)
SELECT count(*)::int AS applied FROM recorded`,
  mysql: `
INSERT IGNORE INTO review_ledger (review_id, album_id, kind)
SELECT r.review_id, r.album_id, r.kind
FROM JSON_TABLE(:reviews, '$[*]' COLUMNS (
  review_id char(36) CHARACTER SET ascii PATH '$.review_id',
  album_id char(36) CHARACTER SET ascii PATH '$.album_id',
  kind varchar(8) PATH '$.kind'
)) AS r
-- The API only accepts reviews of stored albums; a message naming another is dropped, not retried forever.
WHERE EXISTS (SELECT 1 FROM albums WHERE albums.album_id = r.album_id)
ORDER BY r.album_id, r.review_id`,
};

const reviewCounts = (where: string) => `
  SELECT coalesce(likes, 0) AS likes, coalesce(dislikes, 0) AS dislikes
  FROM albums LEFT JOIN review_counts USING (album_id) WHERE ${where}`;

/**
 * The review ledger and counters behind domain verbs. All of their SQL lives here.
 *
 * @example
 * const ledger = createReviewLedger(db);
 * await ledger.apply([{ reviewId, albumId, kind: 'like' }]);
 */
export function createReviewLedger(db: Database): ReviewLedger {
  return {
    async apply(reviews) {
      if (reviews.length === 0) return 0;
      const { rows, updatedCount } = await db.execute<{ applied: number }>(APPLY_REVIEWS, {
        reviews: json(
          reviews.map(({ reviewId, albumId, kind }) => ({ review_id: reviewId, album_id: albumId, kind })),
        ),
      });
      // PostgreSQL's statement selects the count; MySQL's INSERT reports it as the rows it inserted.
      return rows[0]?.applied ?? updatedCount;
    },

    async counts(ref) {
      // From the album, so one statement tells an unknown album (no row) from one nobody reviewed yet.
      const { where, params } = whereRef(ref);
      const { rows } = await db.execute<{ likes: number; dislikes: number }>(reviewCounts(where), params);
      const [row] = rows;
      return row && { likes: Number(row.likes), dislikes: Number(row.dislikes) };
    },
  };
}
