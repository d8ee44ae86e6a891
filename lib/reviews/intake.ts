import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AlbumStore } from '../albums/store.js';
import { type CircuitGuard, circuitBreaker } from '../circuit-breaker/middleware.js';
import type { AppConfig } from '../config.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import { logger, metrics } from '../observability.js';
import type { ReviewKind } from '../schemas.js';
import type { ReviewLedger } from './ledger.js';
import type { ReviewQueue } from './queue.js';

export interface ReviewIntake {
  /**
   * Accepts a review of a stored album: onto the queue through the circuit, or, when the circuit is open
   * or the send fails, straight into the ledger with the same exactly-once statement the consumer uses.
   * Throws {@link UnavailableError} only when neither could take it. The review id is fresh unless the
   * client's idempotency key gave one (see {@link reviewIdFor}).
   */
  accept(
    review: { albumId: string; kind: ReviewKind; reviewId?: string },
    circuit: CircuitGuard,
  ): Promise<{ reviewId: string }>;
}

/**
 * Review acceptance, the one place that decides where an accepted review goes.
 *
 * @example
 * const intake = createReviewIntake({ albums, queue, ledger });
 * const { reviewId } = await intake.accept({ albumId, kind: 'like' }, context.circuit);
 */
export function createReviewIntake(deps: {
  albums: AlbumStore;
  queue: ReviewQueue;
  ledger: ReviewLedger;
}): ReviewIntake {
  return {
    async accept({ albumId, kind, reviewId = randomUUID() }, circuit) {
      if (!(await deps.albums.exists(albumId))) throw new NotFoundError(`Album ${albumId} does not exist`);
      const review = { reviewId, albumId, kind };
      try {
        await circuit.run(() => deps.queue.publish(review));
        return { reviewId: review.reviewId };
      } catch (queueError) {
        // A send that timed out may still have reached the queue: the ledger's unique review id makes the
        // fallback and a later delivery of that message count once between them.
        logger.warn('Review queue unavailable; applying the review directly', {
          error: queueError,
          circuit: circuit.state,
        });
        metrics.addMetric('ReviewsAppliedDirectly', MetricUnit.Count, 1);
        try {
          await deps.ledger.apply([review]);
          return { reviewId: review.reviewId };
        } catch (databaseError) {
          logger.error('Review refused: neither the queue nor the database took it', {
            error: databaseError,
          });
          const retryAfterSeconds = Math.max(1, Math.ceil(circuit.retryAfterMs / 1000));
          throw new UnavailableError(
            'Reviews cannot be accepted right now; send it again after Retry-After with an Idempotency-Key ' +
              'header, the same one each time, and it counts once',
            retryAfterSeconds,
            {
              cause: databaseError,
            },
          );
        }
      }
    },
  };
}

/**
 * The circuit breaker middleware that guards the reviews queue, configured and observed the same way by
 * every function that accepts reviews: each transition logged and counted.
 *
 * @example
 * export const handler = httpHandler(accept).use(reviewsQueueCircuit(config.reviews.breaker));
 */
export function reviewsQueueCircuit<TEvent, TResult>(settings: AppConfig['reviews']['breaker']) {
  return circuitBreaker<TEvent, TResult>({
    name: 'reviews-queue',
    ...settings,
    onTransition: (from, to) => {
      logger.warn('Reviews queue circuit changed state', { from, to });
      metrics.addMetric(`ReviewsQueueCircuit_${to}`, MetricUnit.Count, 1);
    },
  });
}
