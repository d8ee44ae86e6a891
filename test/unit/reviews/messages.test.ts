import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { encodeReviewMessage, parseReviewMessages } from '../../../lib/reviews/messages.js';
import type { Vote } from '../../../lib/reviews/votes.js';

const albumId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const record = (messageId: string, body: string) => ({ messageId, body }) as SQSRecord;

describe('review messages', () => {
  it('read back what was encoded: an anonymous review, a vote, and a withdrawal', () => {
    const review = { reviewId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', albumId, kind: 'like' as const };
    const vote: Vote = {
      messageId: '11111111-2222-4333-8444-555555555555',
      albumId,
      voter: 'b4d0e3bd-ca11-8a17-88d2-5d5983195475',
      kind: 'dislike',
      acceptedAt: 1_795_532_400_000,
    };
    const withdrawal: Vote = { ...vote, messageId: '21111111-2222-4333-8444-555555555555', kind: null };
    const parsed = parseReviewMessages([
      record('r', encodeReviewMessage(review)),
      record('v', encodeReviewMessage(vote)),
      record('w', encodeReviewMessage(withdrawal)),
    ]);
    expect(parsed).toEqual({
      reviews: [{ messageId: 'r', review }],
      votes: [
        { messageId: 'v', vote },
        { messageId: 'w', vote: withdrawal },
      ],
      malformed: [],
    });
  });

  it('sets aside a vote without its order, or with a vote it does not know, naming the field', () => {
    const base = { messageId: '11111111-2222-4333-8444-555555555555', albumId, voter: 'ana', vote: 'like' };
    const { votes, malformed } = parseReviewMessages([
      record('no-time', JSON.stringify(base)),
      record('bad-vote', JSON.stringify({ ...base, acceptedAt: 1, vote: 'love' })),
      record('bad-time', JSON.stringify({ ...base, acceptedAt: '2026-12-02T08:00:00Z' })),
    ]);
    expect(votes).toEqual([]);
    expect(malformed.map(({ messageId, problem }) => [messageId, problem.split(' ')[0]])).toEqual([
      ['no-time', 'acceptedAt'],
      ['bad-vote', 'vote'],
      ['bad-time', 'acceptedAt'],
    ]);
  });
});
