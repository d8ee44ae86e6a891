import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ReviewsQueueConfig } from '../config.js';
import { encodeReviewMessage, type QueuedReview } from './messages.js';

export interface ReviewQueue {
  /** Puts one accepted review or vote on the queue for the consumer to apply. */
  publish(queued: QueuedReview): Promise<void>;
}

/**
 * The reviews queue of the functions' configuration, through the container's one SQS client.
 *
 * @example
 * const queue = connectReviewQueue(loadReviewsQueueConfig());
 */
export function connectReviewQueue(config: ReviewsQueueConfig): ReviewQueue {
  const sqs = new SQSClient({
    region: config.region,
    endpoint: config.endpoint,
    // One quick attempt: the circuit breaker and the database fallback deal with a slow or absent queue.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: config.sendTimeoutMs, requestTimeout: config.sendTimeoutMs },
    // Resolve the SDK's middleware stack once per command type rather than on every send; nothing here
    // changes it after the first call.
    cacheMiddleware: true,
  });
  return createReviewQueue({ sqs, queueUrl: config.queueUrl });
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
    async publish(queued) {
      await options.sqs.send(
        new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: encodeReviewMessage(queued) }),
      );
    },
  };
}
