import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parseAlbumId } from '../lib/albums/api.js';
import { createAlbumStore } from '../lib/albums/store.js';
import type { ContextWithCircuit } from '../lib/circuit-breaker/middleware.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { httpHandler } from '../lib/http/handler.js';
import { jsonBody } from '../lib/http/json-body.js';
import { json } from '../lib/http/responses.js';
import { metrics } from '../lib/observability/metrics.js';
import { connectReviewIntake } from '../lib/reviews/connect.js';
import { reviewIdFor } from '../lib/reviews/ledger.js';
import { NewReview, ReviewHeaders } from '../lib/schemas.js';
import { parse } from '../lib/validation.js';

const database = connectDatabase(loadDatabaseConfig());
const { intake, queueCircuit } = connectReviewIntake({ albums: createAlbumStore(database), database });

/**
 * POST /albums/{albumId}/reviews: accepted now, counted by the queue consumer within seconds; with an
 * Idempotency-Key header, counted once however often it is sent.
 */
export const handler = httpHandler<ContextWithCircuit>(async (event, context) => {
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
    context.circuit,
  );
  return json(202, { reviewId });
})
  .use(jsonBody())
  .use(logMetrics(metrics))
  .use(queueCircuit);
