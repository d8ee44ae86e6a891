import { loadConfig } from '../lib/config.js';
import { parseCourseAlbumId } from '../lib/course-api.js';
import { presentCourseError } from '../lib/course-contract.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createServices } from '../lib/services.js';

const { albums } = createServices(loadConfig());

/** GET /cs6650/albums/{albumID}: the profile, every value a string as the contract has it. */
export const handler = httpHandler(
  async (event) => {
    const album = await albums.get(parseCourseAlbumId(event));
    if (!album) throw new NotFoundError('Key not found');
    return json(200, { artist: album.artist, title: album.title, year: String(album.year) });
  },
  { present: presentCourseError },
);
