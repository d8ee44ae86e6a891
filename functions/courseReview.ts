import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { ContextWithCircuit } from '../lib/circuit-breaker/middleware.js';
import { loadConfig } from '../lib/config.js';
import { courseAlbumUuid, parseLikeOrNot } from '../lib/course/api.js';
import { presentCourseError } from '../lib/course/contract.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { metrics } from '../lib/observability.js';
import { createReviewIntake, reviewsQueueCircuit } from '../lib/reviews/intake.js';
import { createServices } from '../lib/services.js';

const config = loadConfig();
const { albums, reviewQueue, reviewLedger } = createServices(config);
const intake = createReviewIntake({ albums, queue: reviewQueue, ledger: reviewLedger });

/** POST /cs6650/review/{likeornot}/{albumID}: the same review pipeline as our own API. */
export const handler = httpHandler(
  async (event, context) => {
    const kind = parseLikeOrNot(event);
    const albumId = await courseAlbumUuid(albums, event);
    await intake.accept({ albumId, kind }, (context as ContextWithCircuit).circuit);
    return json(201, {});
  },
  { present: presentCourseError },
)
  .use(logMetrics(metrics))
  .use(reviewsQueueCircuit(config.reviews.breaker));
