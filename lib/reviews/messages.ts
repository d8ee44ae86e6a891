import type { SQSRecord } from 'aws-lambda';
import { conforms } from '../schema-check.js';
import { ReviewMessage } from '../schemas.js';
import { schemaProblems } from '../validation.js';
import type { Review } from './ledger.js';

/** The message attribute naming the request that accepted a review (its correlation id in the logs). */
export const CORRELATION_ID_ATTRIBUTE = 'correlationId';

export interface ParsedReviewMessages {
  /** Each with the correlation id of the request that accepted it, when the message carries one. */
  reviews: Array<{ messageId: string; review: Review; correlationId?: string }>;
  malformed: Array<{ messageId: string; problem: string }>;
}

/** Splits a batch of queue records into valid reviews and messages that can never be applied. */
export function parseReviewMessages(records: SQSRecord[]): ParsedReviewMessages {
  const parsed: ParsedReviewMessages = { reviews: [], malformed: [] };
  for (const { messageId, body, messageAttributes } of records) {
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      parsed.malformed.push({ messageId, problem: 'body is not JSON' });
      continue;
    }
    if (conforms(ReviewMessage, message)) {
      const { reviewId, albumId, kind } = message;
      const correlationId = messageAttributes?.[CORRELATION_ID_ATTRIBUTE]?.stringValue;
      parsed.reviews.push({
        messageId,
        review: { reviewId, albumId, kind },
        ...(correlationId && { correlationId }),
      });
    } else {
      const [first] = schemaProblems(ReviewMessage, message);
      parsed.malformed.push({ messageId, problem: `${first?.field} ${first?.message}` });
    }
  }
  return parsed;
}
