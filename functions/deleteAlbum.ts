import { parseAlbumId } from '../lib/albums/api.js';
import { connectAlbumOwnership } from '../lib/albums/connect.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { logger } from '../lib/observability/logger.js';

const { owners } = connectAlbumOwnership();

/**
 * DELETE /albums/{albumId}: its owner deletes it, with its votes, reviews, counts and every cover object;
 * votes for it still on the queue are dropped by the consumer.
 */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const { coversRemoved } = await owners.remove({ albumId, caller: callerOf(event) });
  logger.info('Album deleted', { albumId, coversRemoved });
  return { statusCode: 204, body: '' };
});
