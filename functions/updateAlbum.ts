import { parseAlbumId, representAlbum } from '../lib/albums/api.js';
import { connectAlbumOwnership } from '../lib/albums/connect.js';
import { callerOf } from '../lib/http/caller.js';
import { entityTag } from '../lib/http/conditional.js';
import { httpHandler } from '../lib/http/handler.js';
import { jsonBody } from '../lib/http/json-body.js';
import { json } from '../lib/http/responses.js';
import { AlbumChangeHeaders, AlbumChanges } from '../lib/schemas.js';
import { parse } from '../lib/validation.js';

const { owners, covers } = connectAlbumOwnership();

/**
 * PATCH /albums/{albumId}: its owner changes its artist, title or year; with `If-Match`, only if it is
 * still the version they read (412 otherwise). Answers the album as changed, with its new `ETag`.
 */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const caller = callerOf(event);
  const changes = parse(AlbumChanges, event.body, 'album changes');
  const ifMatch = event.headers?.['if-match'];
  const headers = parse(AlbumChangeHeaders, ifMatch === undefined ? {} : { 'if-match': ifMatch }, 'headers');
  const album = await owners.update({ albumId, caller, changes, ifMatch: headers['if-match'] });
  const representation = await representAlbum(album, covers);
  return json(200, representation, { etag: entityTag(JSON.stringify(representation)) });
}).use(jsonBody());
