import { createAlbumStore } from '../lib/albums/store.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { courseAlbumUuid } from '../lib/course/api.js';
import { presentCourseError } from '../lib/course/contract.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createReviewLedger } from '../lib/reviews/ledger.js';

const database = connectDatabase(loadDatabaseConfig());
const albums = createAlbumStore(database);
const reviewLedger = createReviewLedger(database);

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
