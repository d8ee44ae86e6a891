import { presentAlbum } from '../lib/albums/api.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { conditionalGet } from '../lib/http/conditional.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { AlbumListQuery } from '../lib/schemas.js';
import { parseQuery } from '../lib/validation.js';

const albums = createAlbumStore(connectDatabase(loadDatabaseConfig()));

/**
 * GET /albums?artist=&owner=&limit=&cursor=&order=: read from the database every time (pages are not
 * cached here), so a copy elsewhere must be checked before it is shown (`no-cache`: an album just created is
 * listed at once); the `ETag` makes that check a 304 without the body when the page has not changed.
 */
export const handler = httpHandler(async (event) => {
  const { artist, owner, limit, cursor, order } = event.queryStringParameters ?? {};
  const query = parseQuery(AlbumListQuery, { artist, owner, limit, cursor, order });
  const page = await albums.list(query);
  return json(200, { items: page.items.map(presentAlbum), nextCursor: page.nextCursor });
}).use(conditionalGet({ cacheControl: 'no-cache' }));
