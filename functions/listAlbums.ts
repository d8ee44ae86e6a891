import { presentAlbum } from '../lib/albums/api.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadAlbumCacheConfig, loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { albumCacheControl } from '../lib/http/cache-control.js';
import { conditionalGet } from '../lib/http/conditional.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { AlbumListQuery } from '../lib/schemas.js';
import { parseQuery } from '../lib/validation.js';

const albums = createAlbumStore(connectDatabase(loadDatabaseConfig()));

/**
 * GET /albums?artist=&limit=&cursor=: read from the database every time (pages are not cached here), with an
 * `ETag` so a client holding the same page gets a 304 without the body, and the albums' HTTP lifetime.
 */
export const handler = httpHandler(async (event) => {
  const { artist, limit, cursor } = event.queryStringParameters ?? {};
  const query = parseQuery(AlbumListQuery, { artist, limit, cursor });
  const page = await albums.list(query);
  return json(200, { items: page.items.map(presentAlbum), nextCursor: page.nextCursor });
}).use(conditionalGet({ cacheControl: albumCacheControl(loadAlbumCacheConfig().countsTtlMs) }));
