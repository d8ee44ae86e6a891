import { presentAlbum } from '../lib/albums-api.js';
import { loadConfig } from '../lib/config.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { AlbumListQuery } from '../lib/schemas.js';
import { createServices } from '../lib/services.js';
import { parse } from '../lib/validation.js';

const { albums } = createServices(loadConfig());

/** GET /albums?artist=&limit=&cursor= */
export const handler = httpHandler(async (event) => {
  const { artist, limit, cursor } = event.queryStringParameters ?? {};
  const query = parse(AlbumListQuery, dropUndefined({ artist, limit, cursor }), 'query');
  const page = await albums.list(query);
  return json(200, { items: page.items.map(presentAlbum), nextCursor: page.nextCursor });
});

function dropUndefined(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}
