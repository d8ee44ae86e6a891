import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Review } from './ledger.js';

export interface ReviewQueue {
  /** Puts one accepted review on the queue for the consumer to apply. */
  publish(review: Review): Promise<void>;
}

/**
 * The reviews queue behind a domain verb.
 *
 * @example
 * const queue = createReviewQueue({ sqs: new SQSClient({}), queueUrl });
 * await queue.publish({ reviewId, albumId, kind: 'like' });
 */
export function createReviewQueue(options: { sqs: SQSClient; queueUrl: string }): ReviewQueue {
  return {
    async publish(review) {
      await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: JSON.stringify({
            reviewId: review.reviewId,
            albumId: review.albumId,
            kind: review.kind,
          }),
        }),
      );
    },
  };
}
