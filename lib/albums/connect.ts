import { loadAlbumCacheConfig, loadCoversConfig, loadDatabaseConfig } from '../config.js';
import { connectCoverStore } from '../covers/store.js';
import { connectDatabase } from '../db/database.js';
import { logger } from '../observability/logger.js';
import { connectAlbumCache, invalidatingAlbumStore } from './cache.js';
import { createAlbumOwnership } from './owners.js';
import { createAlbumStore } from './store.js';

/**
 * Album ownership as the functions that change albums run it: the store on the configured database,
 * forgetting from the album cache what it changes, and the covers bucket. Built once per container.
 *
 * @example
 * const { owners, covers } = connectAlbumOwnership();
 */
export function connectAlbumOwnership() {
  const covers = connectCoverStore(loadCoversConfig());
  const albums = invalidatingAlbumStore(createAlbumStore(connectDatabase(loadDatabaseConfig())), {
    cache: connectAlbumCache(loadAlbumCacheConfig(), logger),
    log: logger,
  });
  return { owners: createAlbumOwnership({ albums, covers }), covers };
}
