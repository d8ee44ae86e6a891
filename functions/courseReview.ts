import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { createKnownAlbumIds } from '../lib/albums/known-ids.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { courseAlbumUuid, parseLikeOrNot } from '../lib/course/api.js';
import { presentCourseError } from '../lib/course/contract.js';
import { createCourseAlbumStore } from '../lib/course/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { metrics } from '../lib/observability/metrics.js';
import { connectReviewIntake } from '../lib/reviews/connect.js';

const database = connectDatabase(loadDatabaseConfig());
// One memo of album ids for both stores: the album found by its course id is known to exist.
const known = createKnownAlbumIds();
const courseAlbums = createCourseAlbumStore(database, { known });
const intake = connectReviewIntake({
  albums: createAlbumStore(database, { known }),
  database,
});

/** POST /cs6650/review/{likeornot}/{albumID}: the same review pipeline as our own API. */
export const handler = httpHandler(
  async (event) => {
    const kind = parseLikeOrNot(event);
    const albumId = await courseAlbumUuid(courseAlbums, event);
    await intake.accept({ albumId, kind });
    return json(201, {});
  },
  { present: presentCourseError },
).use(logMetrics(metrics));
