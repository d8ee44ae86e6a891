import { randomUUID } from 'node:crypto';
import type { AlbumStore } from '../albums/store.js';
import type { CircuitGuard } from '../circuit-breaker/middleware.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { ReviewKind } from '../schemas.js';
import type { ReviewLedger } from './ledger.js';
import type { ReviewQueue } from './queue.js';

/** What the intake reports to whoever observes it (logs and metrics are the handlers' concern). */
export interface ReviewIntakeEvents {
  /** The queue did not take a review, which is being applied to the ledger directly instead. */
  queueUnavailable(error: unknown, circuit: CircuitGuard['state']): void;
  /** Neither the queue nor the database took a review: the client is asked to send it again. */
  refused(error: unknown): void;
}

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
 * const intake = createReviewIntake({ albums, queue, ledger, events: reviewIntakeEvents });
 * const { reviewId } = await intake.accept({ albumId, kind: 'like' }, context.circuit);
 */
export function createReviewIntake(deps: {
  albums: AlbumStore;
  queue: ReviewQueue;
  ledger: ReviewLedger;
  events: ReviewIntakeEvents;
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
        deps.events.queueUnavailable(queueError, circuit.state);
        try {
          await deps.ledger.apply([review]);
          return { reviewId: review.reviewId };
        } catch (databaseError) {
          deps.events.refused(databaseError);
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
