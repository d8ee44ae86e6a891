import type { SQSRecord } from 'aws-lambda';
import { conforms } from '../schema-check.js';
import { ReviewMessage, VoteMessage } from '../schemas.js';
import { schemaProblems } from '../validation.js';
import type { Review } from './ledger.js';
import type { Vote } from './votes.js';

/** What the reviews queue carries: an anonymous review (the course contract's) or a signed-in user's vote. */
export type QueuedReview = Review | Vote;

/** Whether a queued review is a signed-in user's vote. */
export const isVote = (queued: QueuedReview): queued is Vote => 'voter' in queued;

/**
 * The queue message body of a review or a vote, as {@link parseReviewMessages} reads it back.
 *
 * @example
 * new SendMessageCommand({ QueueUrl, MessageBody: encodeReviewMessage(vote) });
 */
export function encodeReviewMessage(queued: QueuedReview): string {
  if (!isVote(queued)) {
    const { reviewId, albumId, kind } = queued;
    return JSON.stringify({ reviewId, albumId, kind } satisfies ReviewMessage);
  }
  const { messageId, albumId, voter, kind, acceptedAt } = queued;
  return JSON.stringify({ messageId, albumId, voter, vote: kind, acceptedAt } satisfies VoteMessage);
}

/** The message attribute naming the request that accepted a review (its correlation id in the logs). */
export const CORRELATION_ID_ATTRIBUTE = 'correlationId';

export interface ParsedReviewMessages {
  /** Each with the correlation id of the request that accepted it, when the message carries one. */
  reviews: Array<{ messageId: string; review: Review; correlationId?: string }>;
  votes: Array<{ messageId: string; vote: Vote; correlationId?: string }>;
  malformed: Array<{ messageId: string; problem: string }>;
}

/**
 * Splits a batch of queue records into anonymous reviews, votes (a message naming a `voter` is one) and
 * messages that can never be applied.
 */
export function parseReviewMessages(records: SQSRecord[]): ParsedReviewMessages {
  const parsed: ParsedReviewMessages = { reviews: [], votes: [], malformed: [] };
  for (const { messageId, body, messageAttributes } of records) {
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      parsed.malformed.push({ messageId, problem: 'body is not JSON' });
      continue;
    }
    const schema =
      typeof message === 'object' && message !== null && 'voter' in message ? VoteMessage : ReviewMessage;
    const correlationId = messageAttributes?.[CORRELATION_ID_ATTRIBUTE]?.stringValue;
    const correlated = correlationId ? { correlationId } : {};
    if (conforms(VoteMessage, message)) {
      const { messageId: voteId, albumId, voter, vote, acceptedAt } = message;
      const queued = { messageId: voteId, albumId, voter, kind: vote, acceptedAt };
      parsed.votes.push({ messageId, vote: queued, ...correlated });
    } else if (conforms(ReviewMessage, message)) {
      const { reviewId, albumId, kind } = message;
      parsed.reviews.push({ messageId, review: { reviewId, albumId, kind }, ...correlated });
    } else {
      const [first] = schemaProblems(schema, message);
      parsed.malformed.push({ messageId, problem: `${first?.field} ${first?.message}` });
    }
  }
  return parsed;
}
