import { parseAlbumId, presentAlbum } from '../lib/albums/api.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';

const albums = createAlbumStore(connectDatabase(loadDatabaseConfig()));
const covers = connectCoverStore(loadCoversConfig());

/** GET /albums/{albumId}: the album, with a short-lived URL of its cover once it is verified. */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const album = await albums.get(albumId);
  if (!album) throw new NotFoundError(`Album ${albumId} does not exist`);
  const presented = presentAlbum(album);
  if (album.coverKey) presented.cover.url = await covers.presignDownload(album.coverKey);
  return json(200, presented);
});
