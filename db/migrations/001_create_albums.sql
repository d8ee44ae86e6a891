-- Albums and the state of their cover image. `seq` gives keyset pagination a stable, unique order.
CREATE TABLE albums (
  album_id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  artist varchar(200) NOT NULL,
  title varchar(200) NOT NULL,
  year integer NOT NULL,
  cover_key text NOT NULL,
  cover_status text NOT NULL DEFAULT 'pending' CHECK (cover_status IN ('pending', 'ready', 'rejected')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX albums_by_artist ON albums (lower(artist), seq);
