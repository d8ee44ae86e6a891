import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { presentAlbum } from '../lib/albums/api.js';
import { createAlbumStore } from '../lib/albums/store.js';
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
const coversConfig = loadCoversConfig();
const covers = connectCoverStore(coversConfig);

/** POST /albums: stores the album, owned by the caller, and hands back a presigned POST for its cover. */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2) => {
  const owner = callerOf(event);
  const input = parse(NewAlbum, event.body, 'album');
  const { album, uploadKey } = await albums.createWithUpload(
    input,
    owner,
    new Date(Date.now() + coversConfig.uploadExpiresSeconds * 1000),
  );
  const upload = await covers.presignUpload(uploadKey);
  return json(201, { ...presentAlbum(album), upload }, { location: `/albums/${album.albumId}` });
}).use(jsonBody());
