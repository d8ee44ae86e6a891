import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { createAlbumStore } from '../lib/albums/store.js';
import { type ContextWithCircuit, circuitBreaker } from '../lib/circuit-breaker/middleware.js';
import { loadBreakerConfig, loadDatabaseConfig, loadReviewsQueueConfig } from '../lib/config.js';
import { courseAlbumUuid, parseLikeOrNot } from '../lib/course/api.js';
import { presentCourseError } from '../lib/course/contract.js';
import { connectDatabase } from '../lib/db/database.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { metrics, reviewIntakeEvents, reviewsQueueTransition } from '../lib/observability/metrics.js';
import { createReviewIntake } from '../lib/reviews/intake.js';
import { createReviewLedger } from '../lib/reviews/ledger.js';
import { connectReviewQueue } from '../lib/reviews/queue.js';

const database = connectDatabase(loadDatabaseConfig());
const albums = createAlbumStore(database);
const intake = createReviewIntake({
  albums,
  queue: connectReviewQueue(loadReviewsQueueConfig()),
  ledger: createReviewLedger(database),
  events: reviewIntakeEvents,
});

/** POST /cs6650/review/{likeornot}/{albumID}: the same review pipeline as our own API. */
export const handler = httpHandler<ContextWithCircuit>(
  async (event, context) => {
    const kind = parseLikeOrNot(event);
    const albumId = await courseAlbumUuid(albums, event);
    await intake.accept({ albumId, kind }, context.circuit);
    return json(201, {});
  },
  { present: presentCourseError },
)
  .use(logMetrics(metrics))
  .use(
    circuitBreaker({ name: 'reviews-queue', ...loadBreakerConfig(), onTransition: reviewsQueueTransition }),
  );
