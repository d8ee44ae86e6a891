import { loadDatabaseConfig } from '../lib/config.js';
import { parseCourseAlbumRef } from '../lib/course/api.js';
import { presentCourseError } from '../lib/course/contract.js';
import { connectDatabase } from '../lib/db/database.js';
import { NotFoundError } from '../lib/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { createReviewLedger } from '../lib/reviews/ledger.js';

const reviewLedger = createReviewLedger(connectDatabase(loadDatabaseConfig()));

/** GET /cs6650/review/{albumID}: the counts, as strings. */
export const handler = httpHandler(
  async (event) => {
    // By the album's course id or UUID as sent: one statement finds the album and its counts.
    const counts = await reviewLedger.counts(parseCourseAlbumRef(event));
    if (!counts) throw new NotFoundError('Key not found');
    const { likes, dislikes } = counts;
    return json(200, { likes: String(likes), dislikes: String(dislikes) });
  },
  { present: presentCourseError },
);
