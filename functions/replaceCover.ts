import { parseAlbumId } from '../lib/albums/api.js';
import { createAlbumOwnership } from '../lib/albums/owners.js';
import { coverUploadKey, createAlbumStore } from '../lib/albums/store.js';
import { loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';

const covers = connectCoverStore(loadCoversConfig());
const owners = createAlbumOwnership({
  albums: createAlbumStore(connectDatabase(loadDatabaseConfig())),
  covers,
});

/**
 * POST /albums/{albumId}/cover: for the album's owner, a new presigned upload; the cover shown stays until
 * the new one is verified.
 */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  await owners.requireOwner({ albumId, caller: callerOf(event) });
  return json(201, await covers.presignUpload(coverUploadKey(albumId)));
});
