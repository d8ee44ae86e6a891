import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { presentAcceptedVote } from '../../../lib/reviews/api.js';
import { AcceptedVote } from '../../../lib/schemas.js';

const albumId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const accepted = {
  messageId: 'b1a1c6f0-1f7e-4a55-9a0e-0a8b9c7d6e5f',
  acceptedAt: Date.UTC(2026, 0, 5, 9, 30, 0, 250),
};

describe('presentAcceptedVote', () => {
  it('answers a vote with its id and the instant that orders it, as the documented schema has it', () => {
    const answer = presentAcceptedVote(albumId, 'dislike', accepted);
    expect(answer).toEqual({
      albumId,
      vote: 'dislike',
      messageId: accepted.messageId,
      acceptedAt: '2026-01-05T09:30:00.250Z',
    });
    expect(Value.Check(AcceptedVote, answer)).toBe(true);
  });

  it('answers a withdrawal as a null vote', () => {
    const answer = presentAcceptedVote(albumId, null, accepted);
    expect(answer.vote).toBeNull();
    expect(Value.Check(AcceptedVote, answer)).toBe(true);
  });
});
