import type { AlbumStore } from '../albums/store.js';
import { circuitGuard } from '../circuit-breaker/guard.js';
import { loadBreakerConfig, loadReviewsQueueConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { createReviewIntake, type ReviewIntake } from './intake.js';
import { createReviewLedger } from './ledger.js';
import { reviewIntakeEvents, reviewsQueueTransition } from './observability.js';
import { connectReviewQueue } from './queue.js';
import { createVoteBook } from './votes.js';

/**
 * Review intake as every function that accepts reviews or votes runs it: the queue from the environment
 * behind its circuit breaker, the ledger and the vote book on `database`, their fallbacks and the circuit's
 * transitions logged and counted. Built once per container; the breaker's state carries across its
 * invocations.
 *
 * @example
 * const intake = connectReviewIntake({ albums, database });
 * export const handler = httpHandler(async (event) => json(202, await intake.accept(parseReview(event))));
 */
export function connectReviewIntake(deps: { albums: AlbumStore; database: Database }): ReviewIntake {
  return createReviewIntake({
    albums: deps.albums,
    queue: connectReviewQueue(loadReviewsQueueConfig()),
    queueCircuit: circuitGuard({
      name: 'reviews-queue',
      ...loadBreakerConfig(),
      onTransition: reviewsQueueTransition,
    }),
    ledger: createReviewLedger(deps.database),
    votes: createVoteBook(deps.database),
    events: reviewIntakeEvents,
  });
}
