import { parseAlbumId } from '../lib/albums/api.js';
import { createAlbumOwnership } from '../lib/albums/owners.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { coverUploadKey } from '../lib/covers/keys.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { createCoverUploads } from '../lib/covers/uploads.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { CoverUploadQuery } from '../lib/schemas.js';
import { parseQuery } from '../lib/validation.js';

const database = connectDatabase(loadDatabaseConfig());
const covers = connectCoverStore(loadCoversConfig());
const owners = createAlbumOwnership({ albums: createAlbumStore(database), covers });
const uploads = createCoverUploads(database);

/**
 * POST /albums/{albumId}/cover: for the album's owner, a new presigned upload; the cover shown stays until
 * the new one is verified.
 */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const { contentType } = parseQuery(CoverUploadQuery, event.queryStringParameters ?? {});
  await owners.requireOwner({ albumId, caller: callerOf(event) });
  const key = coverUploadKey(albumId);
  const upload = await covers.presignUpload(key, contentType);
  if (!(await uploads.issue(albumId, key, new Date(upload.expiresAt)))) {
    throw new NotFoundError(`Album ${albumId} does not exist`);
  }
  return json(201, upload);
});
