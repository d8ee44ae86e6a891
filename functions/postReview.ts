import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parseAlbumId } from '../lib/albums/api.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { jsonBody } from '../lib/http/json-body.js';
import { json } from '../lib/http/responses.js';
import { metrics } from '../lib/observability/metrics.js';
import { presentAcceptedVote } from '../lib/reviews/api.js';
import { connectReviewIntake } from '../lib/reviews/connect.js';
import { NewReview } from '../lib/schemas.js';
import { parse } from '../lib/validation.js';

const database = connectDatabase(loadDatabaseConfig());
const intake = connectReviewIntake({ albums: createAlbumStore(database), database });

/**
 * POST /albums/{albumId}/reviews: sets the caller's one vote on the album (a like, or a dislike in place of
 * their like); accepted now, counted by the queue consumer within seconds.
 */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const voter = callerOf(event);
  const { kind } = parse(NewReview, event.body, 'review');
  const accepted = await intake.vote({ albumId, voter, kind });
  return json(202, presentAcceptedVote(albumId, kind, accepted));
})
  .use(jsonBody())
  .use(logMetrics(metrics));
