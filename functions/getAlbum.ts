import { parseAlbumId, representAlbum } from '../lib/albums/api.js';
import { cachedAlbumStore, connectAlbumCache } from '../lib/albums/cache.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadAlbumCacheConfig, loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { albumCacheControl } from '../lib/http/cache-control.js';
import { conditionalGet } from '../lib/http/conditional.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { logger } from '../lib/observability/logger.js';
import { createReviewLedger } from '../lib/reviews/ledger.js';

const database = connectDatabase(loadDatabaseConfig());
const reviewLedger = createReviewLedger(database);
const cacheConfig = loadAlbumCacheConfig();
const albums = cachedAlbumStore(createAlbumStore(database), {
  cache: connectAlbumCache(cacheConfig, logger),
  ttlSeconds: cacheConfig.ttlSeconds,
  countsTtlMs: cacheConfig.countsTtlMs,
  maxEntries: cacheConfig.maxEntries,
  readCounts: (albumId) => reviewLedger.counts({ albumId }),
  log: logger,
});
const covers = connectCoverStore(loadCoversConfig());
const cacheControl = albumCacheControl(cacheConfig.countsTtlMs);

/**
 * GET /albums/{albumId}: the album, with a short-lived URL of its cover once it is verified. `ETag` and
 * `If-None-Match` let a client that has it skip the body; `Server-Timing` says whether the album came from
 * the cache.
 */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const { album, source } = await albums.lookup(albumId);
  if (!album) throw new NotFoundError(`Album ${albumId} does not exist`);
  return json(200, await representAlbum(album, covers), {
    // A pending cover is about to change: whoever holds the album asks again before showing it. Otherwise
    // conditionalGet gives the album's lifetime.
    ...(album.cover.status === 'pending' ? { 'cache-control': 'no-cache' } : {}),
    'server-timing': `album-cache;desc=${source === 'cache' ? 'hit' : 'miss'}`,
  });
}).use(conditionalGet({ cacheControl }));
