import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { timedRequests } from '../aws/request-timeout.js';
import type { ReviewsQueueConfig } from '../config.js';
import { logger } from '../observability/logger.js';
import { timeSpentIn } from '../observability/server-timing.js';
import { traced } from '../observability/tracer.js';
import { CORRELATION_ID_ATTRIBUTE, encodeReviewMessage, isVote, type QueuedReview } from './messages.js';

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
  const sqs = traced(
    new SQSClient({
      region: config.region,
      endpoint: config.endpoint,
      // One quick attempt: the circuit breaker and the database fallback deal with a slow, stalled or absent
      // queue, which therefore must fail the send rather than hold it.
      maxAttempts: 1,
      requestHandler: timedRequests(config.sendTimeoutMs),
      // Resolve the SDK's middleware stack once per command type rather than on every send; nothing here
      // changes it after the first call.
      cacheMiddleware: true,
    }),
  );
  const queue = createReviewQueue({
    sqs,
    queueUrl: config.queueUrl,
    correlationId: () => {
      const id = logger.getCorrelationId();
      return typeof id === 'string' ? id : undefined;
    },
  });
  return {
    async publish(queued) {
      await queue.publish(queued);
      // Ties the review or vote to the request's correlation id, which the consumer's lines about it carry too.
      const id = isVote(queued) ? { voteId: queued.messageId } : { reviewId: queued.reviewId };
      logger.info('Review queued', { ...id, albumId: queued.albumId });
    },
  };
}

/**
 * The reviews queue behind a domain verb.
 *
 * @example
 * const queue = createReviewQueue({ sqs: new SQSClient({}), queueUrl });
 * await queue.publish({ reviewId, albumId, kind: 'like' });
 */
export function createReviewQueue(options: {
  sqs: SQSClient;
  queueUrl: string;
  /** The correlation id of the request being served, carried to the consumer as a message attribute. */
  correlationId?: () => string | undefined;
}): ReviewQueue {
  return {
    async publish(queued) {
      const correlationId = options.correlationId?.();
      // The send's time is the request's time in the queue (Server-Timing's `queue`).
      await timeSpentIn('queue', () =>
        options.sqs.send(
          new SendMessageCommand({
            QueueUrl: options.queueUrl,
            MessageBody: encodeReviewMessage(queued),
            ...(correlationId && {
              MessageAttributes: {
                [CORRELATION_ID_ATTRIBUTE]: { DataType: 'String', StringValue: correlationId },
              },
            }),
          }),
        ),
      );
    },
  };
}
