import { loadConfig } from '../lib/config.js';
import { parseCourseAlbumId } from '../lib/course-api.js';
import { presentCourseError } from '../lib/course-contract.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createServices } from '../lib/services.js';

const { albums, reviewLedger } = createServices(loadConfig());

/** GET /cs6650/review/{albumID}: the counts, as strings. */
export const handler = httpHandler(
  async (event) => {
    const albumId = parseCourseAlbumId(event);
    if (!(await albums.exists(albumId))) throw new NotFoundError('Key not found');
    const { likes, dislikes } = await reviewLedger.counts(albumId);
    return json(200, { likes: String(likes), dislikes: String(dislikes) });
  },
  { present: presentCourseError },
);
