import { loadDatabaseConfig } from '../lib/config.js';
import { parseCourseAlbumRef } from '../lib/course/api.js';
import { presentCourseAlbum, presentCourseError } from '../lib/course/contract.js';
import { createCourseAlbumStore } from '../lib/course/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { conditionalGet } from '../lib/http/conditional.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';

const albums = createCourseAlbumStore(connectDatabase(loadDatabaseConfig()));

/**
 * GET /cs6650/albums/{albumID}: the profile, every value a string, the year as it was sent. A profile never
 * changes once stored, so any cache may keep it for an hour.
 */
export const handler = httpHandler(
  async (event) => {
    const album = await albums.profile(parseCourseAlbumRef(event));
    if (!album) throw new NotFoundError('Key not found');
    return json(200, presentCourseAlbum(album));
  },
  { present: presentCourseError },
).use(conditionalGet({ cacheControl: 'public, max-age=3600' }));
