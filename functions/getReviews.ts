import { parseAlbumId } from '../lib/albums/api.js';
import { loadConfig } from '../lib/config.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createServices } from '../lib/services.js';

const { reviewLedger } = createServices(loadConfig());

/** GET /albums/{albumId}/reviews */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const counts = await reviewLedger.counts(albumId);
  if (!counts) throw new NotFoundError(`Album ${albumId} does not exist`);
  return json(200, counts);
});
