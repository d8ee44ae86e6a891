import { parseAlbumId } from '../lib/albums/api.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createVoteBook } from '../lib/reviews/votes.js';

const votes = createVoteBook(connectDatabase(loadDatabaseConfig()));

/** GET /albums/{albumId}/reviews/mine: the caller's own vote on the album, as the consumer has applied it. */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const vote = await votes.mine(albumId, callerOf(event));
  if (vote === undefined) throw new NotFoundError(`Album ${albumId} does not exist`);
  // Private to the caller, and changed by their next vote: never kept by a shared cache.
  return json(200, { albumId, vote }, { 'cache-control': 'private, no-store' });
});
