import { parseAlbumId } from '../lib/albums/api.js';
import { coverUploadKey } from '../lib/albums/store.js';
import { loadConfig } from '../lib/config.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createServices } from '../lib/services.js';

const { albums, covers } = createServices(loadConfig());

/** POST /albums/{albumId}/cover: a new presigned upload; the cover shown stays until the new one is verified. */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  if (!(await albums.exists(albumId))) throw new NotFoundError(`Album ${albumId} does not exist`);
  return json(201, await covers.presignUpload(coverUploadKey(albumId)));
});
