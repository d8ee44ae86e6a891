import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { connectAlbumCache, invalidatingCoverUploads } from '../lib/albums/cache.js';
import { loadAlbumCacheConfig, loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { createCoverSweeper } from '../lib/covers/sweep.js';
import { createCoverUploads } from '../lib/covers/uploads.js';
import { createCoverVerifier } from '../lib/covers/verification.js';
import { connectDatabase } from '../lib/db/database.js';
import { logger } from '../lib/observability/logger.js';

const coversConfig = loadCoversConfig();
// A verdict removes the album from the cache GET /albums/{albumId} reads, as the verifier's does.
const uploads = invalidatingCoverUploads(createCoverUploads(connectDatabase(loadDatabaseConfig())), {
  cache: connectAlbumCache(loadAlbumCacheConfig(), logger),
  log: logger,
});
const sweep = createCoverSweeper({
  uploads,
  verify: createCoverVerifier({
    uploads,
    covers: connectCoverStore(coversConfig),
    maxBytes: coversConfig.maxBytes,
    log: logger,
  }),
  pendingForMs: coversConfig.sweepAfterSeconds * 1000,
  log: logger,
});

/** Scheduled (EventBridge): judges cover uploads still pending, whose notification never came. */
export const handler = middy(async () => {
  const result = await sweep();
  logger.info('Covers swept', { ...result });
  return result;
}).use(injectLambdaContext(logger));
