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
import { createVoteBook } from '../lib/reviews/votes.js';

const database = connectDatabase(loadDatabaseConfig());
const reviewLedger = createReviewLedger(database);
const voteBook = createVoteBook(database);

/**
 * The reviews queue consumer: applies a batch's anonymous reviews in one exactly-once statement, and its
 * votes in one transaction where the newest vote of each user wins, whatever order they came in.
 * Reviews and votes for albums that no longer exist are dropped. Malformed messages are reported as
 * failures on their own (and reach the dead-letter queue) without holding up the rest; a part that fails
 * is redelivered, which applying it again makes harmless.
 */
export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { reviews, votes, malformed } = parseReviewMessages(event.Records);
  for (const { messageId, problem } of malformed)
    logger.error('Malformed review message', { messageId, problem });
  // Each review under the correlation id of the request that accepted it: one query finds its whole path.
  for (const { messageId, review, correlationId } of reviews)
    logger.info('Applying review', { messageId, reviewId: review.reviewId, correlation_id: correlationId });
  for (const { messageId, vote, correlationId } of votes)
    logger.info('Applying review', { messageId, voteId: vote.messageId, correlation_id: correlationId });
  const failures: SQSBatchItemFailure[] = malformed.map(({ messageId }) => ({ itemIdentifier: messageId }));
  const [reviewsApplied, votesApplied] = await Promise.allSettled([
    reviewLedger.apply(reviews.map(({ review }) => review)),
    voteBook.apply(votes.map(({ vote }) => vote)),
  ]);
  if (reviewsApplied.status === 'rejected') {
    logger.error('Review batch failed; it will be redelivered', { error: reviewsApplied.reason });
    failures.push(...reviews.map(({ messageId }) => ({ itemIdentifier: messageId })));
  }
  if (votesApplied.status === 'rejected') {
    logger.error('Vote batch failed; it will be redelivered', { error: votesApplied.reason });
    failures.push(...votes.map(({ messageId }) => ({ itemIdentifier: messageId })));
  }
  logger.info('Applied review batch', {
    received: event.Records.length,
    reviews: reviewsApplied.status === 'fulfilled' ? reviewsApplied.value : undefined,
    votes: votesApplied.status === 'fulfilled' ? votesApplied.value : undefined,
  });
  return { batchItemFailures: failures };
})
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger));
