import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parseAlbumId } from '../lib/albums/api.js';
import type { ContextWithCircuit } from '../lib/circuit-breaker/middleware.js';
import { loadConfig } from '../lib/config.js';
import { httpHandler } from '../lib/http/handler.js';
import { jsonBody } from '../lib/http/json-body.js';
import { json } from '../lib/http/responses.js';
import { metrics } from '../lib/observability.js';
import { createReviewIntake, reviewsQueueCircuit } from '../lib/reviews/intake.js';
import { reviewIdFor } from '../lib/reviews/ledger.js';
import { NewReview, ReviewHeaders } from '../lib/schemas.js';
import { createServices } from '../lib/services.js';
import { parse } from '../lib/validation.js';

const config = loadConfig();
const { albums, reviewQueue, reviewLedger } = createServices(config);
const intake = createReviewIntake({ albums, queue: reviewQueue, ledger: reviewLedger });

/**
 * POST /albums/{albumId}/reviews: accepted now, counted by the queue consumer within seconds; with an
 * Idempotency-Key header, counted once however often it is sent.
 */
export const handler = httpHandler(async (event, context) => {
  const albumId = parseAlbumId(event.pathParameters);
  const { kind } = parse(NewReview, event.body, 'review');
  const idempotencyKey = event.headers?.['idempotency-key'];
  const headers = parse(
    ReviewHeaders,
    idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
    'headers',
  );
  const { reviewId } = await intake.accept(
    {
      albumId,
      kind,
      reviewId: headers['idempotency-key'] && reviewIdFor(albumId, headers['idempotency-key']),
    },
    (context as ContextWithCircuit).circuit,
  );
  return json(202, { reviewId });
})
  .use(jsonBody())
  .use(logMetrics(metrics))
  .use(reviewsQueueCircuit(config.reviews.breaker));
