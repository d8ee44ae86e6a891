-- What verification found in an uploaded cover. `cover_etag` is the version it looked at, so a repeated
-- event for the same upload changes nothing and a stale one cannot overwrite a newer verdict.
-- MySQL form of ../003_add_cover_details.sql.
ALTER TABLE albums ADD COLUMN cover_etag text;
ALTER TABLE albums ADD COLUMN cover_size bigint;
ALTER TABLE albums ADD COLUMN cover_content_type text;
ALTER TABLE albums ADD COLUMN cover_width integer;
ALTER TABLE albums ADD COLUMN cover_height integer;
ALTER TABLE albums ADD COLUMN cover_reason text;
