import { parseAlbumId } from '../lib/albums-api.js';
import { loadConfig } from '../lib/config.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createServices } from '../lib/services.js';

const { albums, covers } = createServices(loadConfig());

/** POST /albums/{albumId}/cover: a new presigned upload that replaces the cover; it is `pending` again. */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const album = await albums.get(albumId);
  if (!album) throw new NotFoundError(`Album ${albumId} does not exist`);
  await albums.resetCover(albumId);
  return json(201, await covers.presignUpload(album.coverKey));
});
