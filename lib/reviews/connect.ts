import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AlbumStore } from '../albums/store.js';
import { circuitBreaker } from '../circuit-breaker/middleware.js';
import { loadBreakerConfig, loadReviewsQueueConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { createReviewIntake } from './intake.js';
import { createReviewLedger } from './ledger.js';
import { reviewIntakeEvents, reviewsQueueTransition } from './observability.js';
import { connectReviewQueue } from './queue.js';
import { createVoteBook } from './votes.js';

/**
 * Review intake as every function that accepts reviews or votes runs it: the queue from the environment, the
 * ledger and the vote book on `database`, and the circuit breaker middleware around the queue, their fallbacks and transitions
 * logged and counted. Built once per container; the breaker's state carries across its invocations.
 *
 * @example
 * const { intake, queueCircuit } = connectReviewIntake({ albums, database });
 * export const handler = httpHandler<ContextWithCircuit>(accept).use(queueCircuit);
 */
export function connectReviewIntake(deps: { albums: AlbumStore; database: Database }) {
  return {
    intake: createReviewIntake({
      albums: deps.albums,
      queue: connectReviewQueue(loadReviewsQueueConfig()),
      ledger: createReviewLedger(deps.database),
      votes: createVoteBook(deps.database),
      events: reviewIntakeEvents,
    }),
    queueCircuit: circuitBreaker<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
      name: 'reviews-queue',
      ...loadBreakerConfig(),
      onTransition: reviewsQueueTransition,
    }),
  };
}
