import { loadConfig } from '../lib/config.js';
import { courseAlbumUuid } from '../lib/course/api.js';
import { presentCourseError } from '../lib/course/contract.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createServices } from '../lib/services.js';

const { albums, reviewLedger } = createServices(loadConfig());

/** GET /cs6650/review/{albumID}: the counts, as strings. */
export const handler = httpHandler(
  async (event) => {
    const albumId = await courseAlbumUuid(albums, event);
    const counts = await reviewLedger.counts(albumId);
    if (!counts) throw new NotFoundError('Key not found');
    const { likes, dislikes } = counts;
    return json(200, { likes: String(likes), dislikes: String(dislikes) });
  },
  { present: presentCourseError },
);
