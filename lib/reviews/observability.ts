import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CircuitState } from '../circuit-breaker/breaker.js';
import { logger } from '../observability/logger.js';
import { metrics } from '../observability/metrics.js';
import type { ReviewIntakeEvents } from './intake.js';

/**
 * The review intake's fallbacks, logged and counted (`ReviewsAppliedDirectly`).
 *
 * @example
 * const intake = createReviewIntake({ albums, queue, ledger, votes, events: reviewIntakeEvents });
 */
export const reviewIntakeEvents: ReviewIntakeEvents = {
  queueUnavailable(error, circuit) {
    logger.warn('Review queue unavailable; applying the review directly', { error, circuit });
    metrics.addMetric('ReviewsAppliedDirectly', MetricUnit.Count, 1);
  },
  refused(error) {
    logger.error('Review refused: neither the queue nor the database took it', { error });
  },
};

/**
 * The reviews queue circuit's transitions, logged and counted (`ReviewsQueueCircuit_<state>`).
 *
 * @example
 * circuitBreaker({ name: 'reviews-queue', ...loadBreakerConfig(), onTransition: reviewsQueueTransition });
 */
export function reviewsQueueTransition(from: CircuitState, to: CircuitState): void {
  logger.warn('Reviews queue circuit changed state', { from, to });
  metrics.addMetric(`ReviewsQueueCircuit_${to}`, MetricUnit.Count, 1);
}
