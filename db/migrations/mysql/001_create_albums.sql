-- Albums and the state of their cover image. `seq` gives keyset pagination a stable, unique order.
-- MySQL form of ../001_create_albums.sql: ids are UUID text (ASCII, compared ignoring case, as PostgreSQL's
-- uuid is); other text compares exactly (utf8mb4_bin), as in PostgreSQL; times are UTC DATETIMEs (the
-- sessions run in UTC), which outlive TIMESTAMP's 2038. MySQL indexes no expressions on MariaDB, so the
-- artist's lower case is a stored column of its own.
CREATE TABLE albums (
  album_id char(36) CHARACTER SET ascii COLLATE ascii_general_ci PRIMARY KEY,
  seq bigint NOT NULL AUTO_INCREMENT UNIQUE,
  artist varchar(200) NOT NULL,
  artist_lower varchar(200) AS (lower(artist)) STORED,
  title varchar(200) NOT NULL,
  year integer NOT NULL,
  cover_key text NOT NULL,
  cover_status varchar(8) NOT NULL DEFAULT 'pending' CHECK (cover_status IN ('pending', 'ready', 'rejected')),
  created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

CREATE INDEX albums_by_artist ON albums (artist_lower, seq);
