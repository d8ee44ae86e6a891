import { loadConfig } from '../lib/config.js';
import { parseCourseAlbumRef } from '../lib/course/api.js';
import { presentCourseAlbum, presentCourseError } from '../lib/course/contract.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createServices } from '../lib/services.js';

const { albums } = createServices(loadConfig());

/** GET /cs6650/albums/{albumID}: the profile, every value a string, the year as it was sent. */
export const handler = httpHandler(
  async (event) => {
    const album = await albums.profile(parseCourseAlbumRef(event));
    if (!album) throw new NotFoundError('Key not found');
    return json(200, presentCourseAlbum(album));
  },
  { present: presentCourseError },
);
