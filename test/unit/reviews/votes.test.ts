import { describe, expect, it } from 'vitest';
import { isNewer, type StoredVote, settleVotes, type Vote } from '../../../lib/reviews/votes.js';

const album = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const other = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';
const key = (albumId: string, voter: string) => JSON.stringify([albumId, voter]);
const never: StoredVote = { kind: null, acceptedAt: -1, messageId: '00000000-0000-0000-0000-000000000000' };

let sequence = 0;
/** A vote accepted at `acceptedAt`, with a fresh id that sorts after every earlier one. */
const vote = (voter: string, kind: Vote['kind'], acceptedAt: number, albumId = album): Vote => ({
  messageId: `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
  albumId,
  voter,
  kind,
  acceptedAt,
});

describe('isNewer', () => {
  it('orders votes by the instant the API accepted them, then by message id', () => {
    expect(isNewer({ acceptedAt: 2, messageId: 'a' }, { acceptedAt: 1, messageId: 'b' })).toBe(true);
    expect(isNewer({ acceptedAt: 1, messageId: 'b' }, { acceptedAt: 2, messageId: 'a' })).toBe(false);
    expect(isNewer({ acceptedAt: 1, messageId: 'B' }, { acceptedAt: 1, messageId: 'a' })).toBe(true);
    expect(isNewer({ acceptedAt: 1, messageId: 'a' }, { acceptedAt: 1, messageId: 'a' })).toBe(false);
  });
});

describe('settleVotes', () => {
  it("keeps the newest of a user's votes whatever order they come in, and moves the counts by the change", () => {
    const like = vote('ana', 'like', 100);
    const dislike = vote('ana', 'dislike', 200);
    const withdraw = vote('ana', null, 300);
    const stored = new Map([[key(album, 'ana'), never]]);
    for (const batch of [
      [like, dislike, withdraw],
      [withdraw, dislike, like],
      [dislike, withdraw, like, withdraw],
    ]) {
      const { winners, deltas, dropped } = settleVotes(batch, stored);
      expect(winners).toEqual([withdraw]);
      expect(deltas.size).toBe(0); // no vote before, none after
      expect(dropped).toEqual([]);
    }
    expect(settleVotes([like, dislike], stored).deltas.get(album)).toEqual({ likes: 0, dislikes: 1 });
  });

  it('changes nothing for a late, older or repeated message once a newer vote is stored', () => {
    const stored = new Map([
      [key(album, 'ana'), { kind: 'dislike' as const, acceptedAt: 200, messageId: 'f' }],
    ]);
    const late = vote('ana', 'like', 100);
    expect(settleVotes([late], stored)).toEqual({ winners: [], deltas: new Map(), dropped: [] });
    const same = { messageId: 'f', albumId: album, voter: 'ana', kind: 'dislike' as const, acceptedAt: 200 };
    expect(settleVotes([same, same], stored).winners).toEqual([]);
  });

  it('a withdrawal takes the vote off the counts, and an older vote cannot bring it back', () => {
    const stored = new Map([[key(album, 'ana'), { kind: 'like' as const, acceptedAt: 100, messageId: 'a' }]]);
    const withdraw = vote('ana', null, 200);
    expect(settleVotes([withdraw], stored).deltas.get(album)).toEqual({ likes: -1, dislikes: 0 });
    const tombstone = new Map([
      [key(album, 'ana'), { kind: null, acceptedAt: 200, messageId: withdraw.messageId }],
    ]);
    expect(settleVotes([vote('ana', 'like', 150)], tombstone).winners).toEqual([]);
  });

  it('sums the changes of many users per album, and drops votes on albums that are gone', () => {
    const stored = new Map<string, StoredVote>([
      [key(album, 'ana'), { kind: 'like', acceptedAt: 1, messageId: 'a' }],
      [key(album, 'bo'), never],
      [key(other, 'ana'), never],
    ]);
    const gone = vote('ana', 'like', 5, '11111111-2222-4333-8444-555555555555');
    const { winners, deltas, dropped } = settleVotes(
      [vote('ana', 'dislike', 5), vote('bo', 'dislike', 5), vote('ana', 'like', 5, other), gone],
      stored,
    );
    expect(winners).toHaveLength(3);
    expect(deltas.get(album)).toEqual({ likes: -1, dislikes: 2 });
    expect(deltas.get(other)).toEqual({ likes: 1, dislikes: 0 });
    expect(dropped).toEqual([gone]);
  });
});
