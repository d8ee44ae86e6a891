import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { AlbumStore } from '../../../lib/albums/store.js';
import { circuitGuard } from '../../../lib/circuit-breaker/guard.js';
import { UnavailableError } from '../../../lib/errors.js';
import { httpErrors } from '../../../lib/http/errors.js';
import { createReviewIntake, type ReviewIntakeEvents } from '../../../lib/reviews/intake.js';
import type { Review, ReviewLedger } from '../../../lib/reviews/ledger.js';
import type { ReviewQueue } from '../../../lib/reviews/queue.js';
import type { Vote, VoteBook } from '../../../lib/reviews/votes.js';

// Both the queue and the database down at once cannot be staged on the local stack, so these fakes
// script it; the real fallback path runs in test/api/reviews.test.ts.
const knownAlbum = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const albums = { exists: async (id: string) => id === knownAlbum } as AlbumStore;
const failingQueue: ReviewQueue = {
  publish: async () => {
    throw new Error('connect ECONNREFUSED');
  },
};
/** Records what the intake reported, in order. */
function recordedEvents() {
  const seen: string[] = [];
  const events: ReviewIntakeEvents = {
    queueUnavailable: (_error, circuit) => seen.push(`queue unavailable (${circuit})`),
    refused: (error) => seen.push(`refused: ${(error as Error).message}`),
  };
  return { seen, events };
}

const unusedVotes: VoteBook = {
  apply: async () => {
    throw new Error('no vote expected');
  },
  mine: async () => null,
};

/** A queue circuit that a failed send has opened, 800 ms into its 5 s wait. */
async function openCircuit() {
  let now = 1_000_000;
  const circuit = circuitGuard({ minimumCalls: 1, failureRateThreshold: 1, openMs: 5_000, now: () => now });
  await circuit
    .run(() => failingQueue.publish({ reviewId: 'r', albumId: knownAlbum, kind: 'like' }))
    .catch(() => {});
  now += 800;
  return circuit;
}

describe('review intake', () => {
  it('applies a review directly when the queue fails', async () => {
    const applied: Review[] = [];
    const ledger = {
      apply: async (reviews: Review[]) => applied.push(...reviews),
      counts: async () => ({ likes: 0, dislikes: 0 }),
    };
    const { seen, events } = recordedEvents();
    const intake = createReviewIntake({
      albums,
      queue: failingQueue,
      queueCircuit: await openCircuit(),
      ledger,
      votes: unusedVotes,
      events,
    });
    const { reviewId } = await intake.accept({ albumId: knownAlbum, kind: 'like' });
    expect(applied).toEqual([{ reviewId, albumId: knownAlbum, kind: 'like' }]);
    expect(seen).toEqual(['queue unavailable (open)']);
  });

  it('applies a vote directly, stamped with the instant it was accepted, when the queue fails', async () => {
    const applied: Vote[] = [];
    const votes: VoteBook = {
      apply: async (batch) => {
        applied.push(...batch);
        return { applied: batch.length, dropped: 0 };
      },
      mine: async () => null,
    };
    const ledger = { apply: async () => 0, counts: async () => ({ likes: 0, dislikes: 0 }) };
    const { seen, events } = recordedEvents();
    const intake = createReviewIntake({
      albums,
      queue: failingQueue,
      queueCircuit: await openCircuit(),
      ledger,
      votes,
      events,
      now: () => 1234,
    });
    const { messageId, acceptedAt } = await intake.vote({
      albumId: knownAlbum,
      voter: 'local|ana',
      kind: null,
    });
    expect(acceptedAt).toBe(1234);
    expect(applied).toEqual([{ messageId, albumId: knownAlbum, voter: 'local|ana', kind: null, acceptedAt }]);
    expect(seen).toEqual(['queue unavailable (open)']);
  });

  it('sends to the queue while it answers, and once it fails enough stops trying it while no review is lost', async () => {
    const sent: string[] = [];
    let queueUp = true;
    let refusedSends = 0;
    const queue: ReviewQueue = {
      publish: async (queued) => {
        if (!queueUp) {
          refusedSends++;
          throw new Error('connect ECONNREFUSED');
        }
        sent.push('reviewId' in queued ? queued.reviewId : queued.messageId);
      },
    };
    const applied: Review[] = [];
    const ledger = {
      apply: async (reviews: Review[]) => applied.push(...reviews),
      counts: async () => ({ likes: 0, dislikes: 0 }),
    };
    const { seen, events } = recordedEvents();
    const queueCircuit = circuitGuard({ minimumCalls: 2, failureRateThreshold: 0.5, now: () => 1_000_000 });
    const intake = createReviewIntake({ albums, queue, queueCircuit, ledger, votes: unusedVotes, events });

    const queued = await intake.accept({ albumId: knownAlbum, kind: 'like' });
    expect(sent).toEqual([queued.reviewId]);

    queueUp = false;
    const accepted = [];
    for (let i = 0; i < 3; i++) accepted.push(await intake.accept({ albumId: knownAlbum, kind: 'dislike' }));
    expect(applied.map((review) => review.reviewId)).toEqual(accepted.map((review) => review.reviewId));
    // One success and one failure reach the threshold: the first failed send opens the circuit.
    expect(refusedSends).toBe(1);
    expect(seen).toEqual([
      'queue unavailable (open)',
      'queue unavailable (open)',
      'queue unavailable (open)',
    ]);
  });

  it('refuses with 503 and a Retry-After from the circuit when the database fails too', async () => {
    const ledger: ReviewLedger = {
      apply: async () => {
        throw new Error('database is resuming');
      },
      counts: async () => ({ likes: 0, dislikes: 0 }),
    };
    const { seen, events } = recordedEvents();
    const intake = createReviewIntake({
      albums,
      queue: failingQueue,
      queueCircuit: await openCircuit(),
      ledger,
      votes: unusedVotes,
      events,
    });
    const error = await intake.accept({ albumId: knownAlbum, kind: 'dislike' }).catch((e: unknown) => e);
    expect(seen).toEqual(['queue unavailable (open)', 'refused: database is resuming']);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryAfterSeconds).toBe(5);

    const quiet = { error: () => undefined, warn: () => undefined };
    const handler = middy<APIGatewayProxyEventV2>(async () => {
      throw error;
    }).use(httpErrors({ logger: quiet }));
    const response = await handler({} as APIGatewayProxyEventV2, {} as Context);
    expect(response).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '5' },
      body: JSON.stringify({
        message: 'Reviews cannot be accepted right now; send it again after Retry-After',
      }),
    });
  });
});
