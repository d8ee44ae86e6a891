import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CircuitState } from '../circuit-breaker/breaker.js';
import type { ReviewIntakeEvents } from '../reviews/intake.js';
import { logger, serviceName } from './logger.js';

// Apart from the logger, so that only the functions that count something bundle and start the metrics.

/** CloudWatch metrics (embedded metric format), flushed at the end of each invocation by `logMetrics`. */
export const metrics = new Metrics({ namespace: 'AlbumService', serviceName });

/** The review intake's fallbacks, logged and counted. */
export const reviewIntakeEvents: ReviewIntakeEvents = {
  queueUnavailable(error, circuit) {
    logger.warn('Review queue unavailable; applying the review directly', { error, circuit });
    metrics.addMetric('ReviewsAppliedDirectly', MetricUnit.Count, 1);
  },
  refused(error) {
    logger.error('Review refused: neither the queue nor the database took it', { error });
  },
};

/** The reviews queue circuit's transitions, logged and counted (`ReviewsQueueCircuit_<state>`). */
export function reviewsQueueTransition(from: CircuitState, to: CircuitState): void {
  logger.warn('Reviews queue circuit changed state', { from, to });
  metrics.addMetric(`ReviewsQueueCircuit_${to}`, MetricUnit.Count, 1);
}
