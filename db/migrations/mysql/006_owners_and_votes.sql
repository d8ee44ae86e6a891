-- Albums created through our own API record who created them: the `sub` of the creator's token. Albums of
-- the course contract have none (NULL) and cannot be changed through our API. Listing "your albums" reads
-- the owner's in creation order.
-- MySQL form of ../006_owners_and_votes.sql.
ALTER TABLE albums ADD COLUMN owner varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE INDEX albums_by_owner ON albums (owner, seq);

-- One vote per listener (the `sub` of their token) and album: `kind` is their current vote, or NULL once
-- they withdrew it. A withdrawal is kept, not deleted, so a late message carrying an older vote cannot bring
-- it back. (`accepted_at`, `message_id`) say which message set the row: the instant the API accepted it, in
-- milliseconds since the epoch, then its id to order two of the same millisecond. A message changes the row
-- only when it is newer by that order (lib/reviews/votes.ts), and the album's review_counts change with it in
-- the same transaction, so they stay the sum of current votes (and of the course contract's reviews).
CREATE TABLE votes (
  album_id char(36) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  voter varchar(255) NOT NULL,
  kind varchar(8) CHECK (kind IN ('like', 'dislike')),
  accepted_at bigint NOT NULL,
  message_id char(36) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  PRIMARY KEY (album_id, voter),
  FOREIGN KEY (album_id) REFERENCES albums (album_id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
