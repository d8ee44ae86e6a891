-- Every review applied, by the id the API gave it: the unique key makes redelivered messages no-ops.
-- MySQL form of ../002_create_reviews.sql.
CREATE TABLE review_ledger (
  review_id char(36) CHARACTER SET ascii COLLATE ascii_general_ci PRIMARY KEY,
  album_id char(36) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  kind varchar(8) NOT NULL CHECK (kind IN ('like', 'dislike')),
  recorded_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  FOREIGN KEY (album_id) REFERENCES albums (album_id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- Running totals, so reading counts never scans the ledger.
CREATE TABLE review_counts (
  album_id char(36) CHARACTER SET ascii COLLATE ascii_general_ci PRIMARY KEY,
  likes bigint NOT NULL DEFAULT 0,
  dislikes bigint NOT NULL DEFAULT 0,
  FOREIGN KEY (album_id) REFERENCES albums (album_id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- MySQL has no writable CTE, so the counters follow the ledger by trigger: a review recorded adds itself
-- to its album's totals within the same statement, and a review already in the ledger (skipped by
-- INSERT IGNORE) never fires it. One INSERT thus still records and counts a batch whole or not at all.
CREATE TRIGGER review_counted AFTER INSERT ON review_ledger FOR EACH ROW
  INSERT INTO review_counts (album_id, likes, dislikes)
  VALUES (NEW.album_id, NEW.kind = 'like', NEW.kind = 'dislike')
  ON DUPLICATE KEY UPDATE likes = likes + (NEW.kind = 'like'), dislikes = dislikes + (NEW.kind = 'dislike');
