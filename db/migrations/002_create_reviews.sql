-- Every review applied, by the id the API gave it: the unique key makes redelivered messages no-ops.
CREATE TABLE review_ledger (
  review_id uuid PRIMARY KEY,
  album_id uuid NOT NULL REFERENCES albums (album_id),
  kind text NOT NULL CHECK (kind IN ('like', 'dislike')),
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Running totals, so reading counts never scans the ledger.
CREATE TABLE review_counts (
  album_id uuid PRIMARY KEY REFERENCES albums (album_id),
  likes bigint NOT NULL DEFAULT 0,
  dislikes bigint NOT NULL DEFAULT 0
);
