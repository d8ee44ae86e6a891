import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { connectAlbumCache, invalidatingCoverUploads } from '../lib/albums/cache.js';
import { loadAlbumCacheConfig, loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { createCoverUploads } from '../lib/covers/uploads.js';
import { createCoverVerifier } from '../lib/covers/verification.js';
import { connectDatabase } from '../lib/db/database.js';
import { logger } from '../lib/observability/logger.js';

const coversConfig = loadCoversConfig();
const verify = createCoverVerifier({
  // A verdict removes the album from the cache GET /albums/{albumId} reads (see README, "Caching").
  uploads: invalidatingCoverUploads(createCoverUploads(connectDatabase(loadDatabaseConfig())), {
    cache: connectAlbumCache(loadAlbumCacheConfig(), logger),
    log: logger,
  }),
  covers: connectCoverStore(coversConfig),
  maxBytes: coversConfig.maxBytes,
  log: logger,
});

/** S3 ObjectCreated under covers/: verifies each uploaded cover. */
export const handler = middy(async (event: S3Event) => {
  for (const record of event.Records) {
    // Keys in S3 events are URL-encoded, with spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const outcome = await verify(key, record.s3.object.eTag);
    logger.info('Cover verified', { key, outcome });
  }
}).use(injectLambdaContext(logger));
