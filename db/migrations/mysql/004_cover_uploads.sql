-- Each upload of a cover has a key of its own (covers/{albumId}/{uploadId}, uploadId ordered by issue time),
-- so a replacement never overwrites the cover being shown and a late verification cannot undo a newer one.
-- `cover_key` is now the cover being shown, NULL until an upload is verified, and `cover_etag` its version;
-- `cover_upload_key` is the newest upload judged (the cover shown if it was accepted, else `cover_reason` says why not).
-- MySQL form of ../004_cover_uploads.sql.
ALTER TABLE albums MODIFY cover_key text NULL;
ALTER TABLE albums ADD COLUMN cover_upload_key text;
UPDATE albums SET cover_upload_key = cover_key WHERE cover_etag IS NOT NULL;
UPDATE albums SET cover_key = NULL WHERE cover_status <> 'ready';
