import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { presentAlbum } from '../lib/albums/api.js';
import { coverUploadKey, createAlbumStore } from '../lib/albums/store.js';
import { loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { jsonBody } from '../lib/http/json-body.js';
import { json } from '../lib/http/responses.js';
import { NewAlbum } from '../lib/schemas.js';
import { parse } from '../lib/validation.js';

const albums = createAlbumStore(connectDatabase(loadDatabaseConfig()));
const covers = connectCoverStore(loadCoversConfig());

/** POST /albums: stores the album, owned by the caller, and hands back a presigned POST for its cover. */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2) => {
  const owner = callerOf(event);
  const input = parse(NewAlbum, event.body, 'album');
  const album = await albums.create(input, owner);
  const upload = await covers.presignUpload(coverUploadKey(album.albumId));
  return json(201, { ...presentAlbum(album), upload }, { location: `/albums/${album.albumId}` });
}).use(jsonBody());
