import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadDatabaseConfig } from '../lib/config.js';
import { connectDatabase } from '../lib/db/database.js';
import { logger } from '../lib/observability/logger.js';
import { tracer } from '../lib/observability/tracer.js';
import { createReviewLedger } from '../lib/reviews/ledger.js';
import { parseReviewMessages } from '../lib/reviews/messages.js';

const reviewLedger = createReviewLedger(connectDatabase(loadDatabaseConfig()));

/**
 * The reviews queue consumer: applies a whole batch in one exactly-once statement. Malformed messages are
 * reported as failures on their own (and reach the dead-letter queue) without holding up the rest.
 */
export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { reviews, malformed } = parseReviewMessages(event.Records);
  for (const { messageId, problem } of malformed)
    logger.error('Malformed review message', { messageId, problem });
  // Each review under the correlation id of the request that accepted it: one query finds its whole path.
  for (const { messageId, review, correlationId } of reviews)
    logger.info('Applying review', { messageId, reviewId: review.reviewId, correlation_id: correlationId });
  const failures: SQSBatchItemFailure[] = malformed.map(({ messageId }) => ({ itemIdentifier: messageId }));
  try {
    const applied = await reviewLedger.apply(reviews.map(({ review }) => review));
    logger.info('Applied review batch', { received: event.Records.length, applied });
  } catch (error) {
    logger.error('Review batch failed; it will be redelivered', { error });
    failures.push(...reviews.map(({ messageId }) => ({ itemIdentifier: messageId })));
  }
  return { batchItemFailures: failures };
})
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger));
