-- Upload forms handed out and not yet judged, one row per cover key. Verification judges an upload only while
-- its row is here and removes the row as it records the verdict, so a form used a second time can never
-- change what the album shows; the sweeper finds what no notification judged by `issued_ms`.
-- Times are epoch milliseconds, the same on both engines.
CREATE TABLE pending_cover_uploads (
  upload_key varchar(200) PRIMARY KEY,
  album_id uuid NOT NULL,
  issued_ms bigint NOT NULL,
  expires_ms bigint NOT NULL
);

CREATE INDEX pending_cover_uploads_by_issue ON pending_cover_uploads (issued_ms);
