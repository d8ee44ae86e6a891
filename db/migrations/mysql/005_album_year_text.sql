-- The course contract's year is free text ("1977", "bye"), given back exactly as sent. `year_text` keeps
-- that text for albums created through it (NULL for albums of our own API, whose year is the integer);
-- `year` is the integer year when the text is one in range, and NULL otherwise.
-- MySQL form of ../005_album_year_text.sql.
ALTER TABLE albums ADD COLUMN year_text text;
ALTER TABLE albums MODIFY year integer NULL;
ALTER TABLE albums ADD CONSTRAINT albums_year_given CHECK (year IS NOT NULL OR year_text IS NOT NULL);
