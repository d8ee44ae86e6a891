import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '../../../lib/observability/metrics.js';
import { reviewIntakeEvents, reviewsQueueTransition } from '../../../lib/reviews/observability.js';

/** The metrics counted so far in this invocation, by name. */
function counted(): Record<string, unknown> {
  const { _aws, ...values } = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
    _aws: unknown;
  };
  return Object.fromEntries(Object.entries(values).filter(([name]) => /^Reviews/.test(name)));
}

afterEach(() => metrics.clearMetrics());

describe('the review intake, observed', () => {
  it('counts each review applied directly because the queue did not take it', () => {
    reviewIntakeEvents.queueUnavailable(new Error('queue down'), 'open');
    reviewIntakeEvents.queueUnavailable(new Error('queue down'), 'open');
    expect(counted()).toEqual({ ReviewsAppliedDirectly: [1, 1] });
  });

  it('counts nothing for a refusal, which the client is asked to send again', () => {
    reviewIntakeEvents.refused(new Error('database down'));
    expect(counted()).toEqual({});
  });

  it("counts the queue circuit's transitions by the state entered", () => {
    reviewsQueueTransition('closed', 'open');
    reviewsQueueTransition('open', 'half-open');
    expect(counted()).toEqual({ ReviewsQueueCircuit_open: 1, 'ReviewsQueueCircuit_half-open': 1 });
  });
});
