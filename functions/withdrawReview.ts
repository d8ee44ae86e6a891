import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parseAlbumId } from '../lib/albums/api.js';
import { createAlbumStore } from '../lib/albums/store.js';
import { loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { metrics } from '../lib/observability/metrics.js';
import { presentAcceptedVote } from '../lib/reviews/api.js';
import { connectReviewIntake } from '../lib/reviews/connect.js';

const database = connectDatabase(loadDatabaseConfig());
const intake = connectReviewIntake({ albums: createAlbumStore(database), database });

/**
 * DELETE /albums/{albumId}/reviews/mine: withdraws the caller's vote; accepted now, through the same queue
 * as a vote, so it takes the place of every vote they sent before it.
 */
export const handler = httpHandler(async (event) => {
  const albumId = parseAlbumId(event.pathParameters);
  const voter = callerOf(event);
  const accepted = await intake.vote({ albumId, voter, kind: null });
  return json(202, presentAcceptedVote(albumId, null, accepted));
}).use(logMetrics(metrics));
