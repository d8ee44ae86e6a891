import { parseAlbumId } from '../lib/albums/api.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createReviewLedger } from '../lib/reviews/ledger.js';

const reviewLedger = createReviewLedger(connectDatabase(loadDatabaseConfig()));

/** GET /albums/{albumId}/reviews */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const counts = await reviewLedger.counts({ albumId });
  if (!counts) throw new NotFoundError(`Album ${albumId} does not exist`);
  return json(200, counts);
});
