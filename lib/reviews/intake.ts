import { randomUUID } from 'node:crypto';
import type { AlbumStore } from '../albums/store.js';
import type { CircuitGuard } from '../circuit-breaker/guard.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { ReviewKind } from '../schemas.js';
import type { ReviewLedger } from './ledger.js';
import { isVote, type QueuedReview } from './messages.js';
import type { ReviewQueue } from './queue.js';
import type { VoteBook } from './votes.js';

/** What the intake reports to whoever observes it (logs and metrics are the handlers' concern). */
export interface ReviewIntakeEvents {
  /** The queue did not take a review, which is being applied to the ledger directly instead. */
  queueUnavailable(error: unknown, circuit: CircuitGuard['state']): void;
  /** Neither the queue nor the database took a review: the client is asked to send it again. */
  refused(error: unknown): void;
}

export interface ReviewIntake {
  /**
   * Accepts an anonymous review of a stored album: onto the queue through its circuit, or, when the circuit
   * is open or the send fails, straight into the ledger with the same exactly-once statement the consumer
   * uses. Throws {@link UnavailableError} only when neither could take it.
   */
  accept(review: { albumId: string; kind: ReviewKind }): Promise<{ reviewId: string }>;
  /**
   * Accepts a signed-in user's vote on a stored album (`kind` null withdraws it), stamped with the instant
   * it arrived and a fresh message id, which order it among the user's votes (see `isNewer` in
   * votes.ts); then as {@link ReviewIntake.accept}: the queue, or the vote book directly.
   */
  vote(vote: {
    albumId: string;
    voter: string;
    kind: ReviewKind | null;
  }): Promise<{ messageId: string; acceptedAt: number }>;
}

/**
 * Review acceptance, the one place that decides where an accepted review or vote goes. The queue is
 * reached only through `queueCircuit`, built once per container so that its state carries across requests.
 *
 * @example
 * const queueCircuit = circuitGuard({ name: 'reviews-queue' });
 * const intake = createReviewIntake({ albums, queue, queueCircuit, ledger, votes, events: reviewIntakeEvents });
 * const { reviewId } = await intake.accept({ albumId, kind: 'like' });
 */
export function createReviewIntake(deps: {
  albums: AlbumStore;
  queue: ReviewQueue;
  /** The circuit breaker around the queue: while it is open, reviews go straight to the database. */
  queueCircuit: CircuitGuard;
  ledger: ReviewLedger;
  votes: VoteBook;
  events: ReviewIntakeEvents;
  /** Injected for tests; defaults to the wall clock, in milliseconds. */
  now?: () => number;
}): ReviewIntake {
  const now = deps.now ?? Date.now;

  const requireAlbum = async (albumId: string) => {
    if (!(await deps.albums.exists(albumId))) throw new NotFoundError(`Album ${albumId} does not exist`);
  };

  /** Onto the queue through the circuit, else `applyDirectly`; 503 only when neither takes it. */
  const deliver = async (queued: QueuedReview, applyDirectly: () => Promise<unknown>) => {
    const circuit = deps.queueCircuit;
    try {
      await circuit.run(() => deps.queue.publish(queued));
    } catch (queueError) {
      // A send that timed out may still have reached the queue: the ledger's unique review id, and a vote's
      // ordering, make the fallback and a later delivery of that message count once between them.
      deps.events.queueUnavailable(queueError, circuit.state);
      try {
        await applyDirectly();
      } catch (databaseError) {
        deps.events.refused(databaseError);
        const retryAfterSeconds = Math.max(1, Math.ceil(circuit.retryAfterMs / 1000));
        throw new UnavailableError(
          isVote(queued)
            ? 'Votes cannot be accepted right now; send it again after Retry-After (a user has one vote, so ' +
                'sending it twice changes nothing)'
            : 'Reviews cannot be accepted right now; send it again after Retry-After',
          retryAfterSeconds,
          { cause: databaseError },
        );
      }
    }
  };

  return {
    async accept({ albumId, kind }) {
      await requireAlbum(albumId);
      const reviewId = randomUUID();
      const review = { reviewId, albumId, kind };
      await deliver(review, () => deps.ledger.apply([review]));
      return { reviewId };
    },

    async vote({ albumId, voter, kind }) {
      // Stamped on arrival: a request that stalls on the way in is older than one the user sends after it.
      const acceptedAt = now();
      await requireAlbum(albumId);
      const vote = { messageId: randomUUID(), albumId, voter, kind, acceptedAt };
      await deliver(vote, () => deps.votes.apply([vote]));
      return { messageId: vote.messageId, acceptedAt: vote.acceptedAt };
    },
  };
}
