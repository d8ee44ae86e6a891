import type { AcceptedVote, ReviewKind } from '../schemas.js';

/**
 * The answer to a vote the API accepted: the vote, its id, and the instant that orders it among the
 * user's votes on the album.
 */
export function presentAcceptedVote(
  albumId: string,
  kind: ReviewKind | null,
  accepted: { messageId: string; acceptedAt: number },
): AcceptedVote {
  return {
    albumId,
    vote: kind,
    messageId: accepted.messageId,
    acceptedAt: new Date(accepted.acceptedAt).toISOString(),
  };
}
