import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from '../../../lib/circuit-breaker/breaker.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function breakerWithClock(options: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const time = clock();
  const transitions: Array<[CircuitState, CircuitState]> = [];
  const breaker = new CircuitBreaker({
    failureRateThreshold: 0.5,
    minimumCalls: 4,
    windowMs: 10_000,
    openMs: 5_000,
    halfOpenTrials: 2,
    now: time.now,
    onTransition: (from, to) => transitions.push([from, to]),
    ...options,
  });
  const call = (ok: boolean) => {
    if (!breaker.tryAcquire()) return 'rejected';
    if (ok) breaker.recordSuccess();
    else breaker.recordFailure();
    return 'called';
  };
  return { breaker, time, transitions, call };
}

describe('CircuitBreaker', () => {
  it('stays closed below the minimum number of calls, however they fail', () => {
    const { breaker, call } = breakerWithClock();
    for (let i = 0; i < 3; i++) call(false);
    expect(breaker.state).toBe('closed');
  });

  it('opens when the failure rate over the window reaches the threshold, and then fails fast', () => {
    const { breaker, call, transitions } = breakerWithClock();
    call(true);
    call(true);
    call(false);
    expect(breaker.state).toBe('closed');
    call(false); // 2 of 4 failed: 50 %
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual([['closed', 'open']]);
    expect(call(true)).toBe('rejected');
    expect(breaker.retryAfterMs).toBe(5_000);
  });

  it('forgets outcomes older than the window', () => {
    const { breaker, call, time } = breakerWithClock();
    call(false);
    call(false);
    call(false);
    time.advance(10_001);
    call(true); // the three failures have left the window: 0 of 1 failed
    call(false);
    expect(breaker.state).toBe('closed');
  });

  it('lets a limited number of trials through once the open period is over, and closes when they succeed', () => {
    const { breaker, call, time, transitions } = breakerWithClock();
    for (let i = 0; i < 4; i++) call(false);
    time.advance(4_999);
    expect(breaker.state).toBe('open');
    time.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // only two trials at a time
    breaker.recordSuccess();
    expect(breaker.state).toBe('half-open');
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  it('reopens on a failed trial and waits a full open period again', () => {
    const { breaker, call, time } = breakerWithClock();
    for (let i = 0; i < 4; i++) call(false);
    time.advance(5_000);
    call(false);
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs).toBe(5_000);
  });

  it('starts afresh when it closes: old failures do not reopen it', () => {
    const { breaker, call, time } = breakerWithClock();
    for (let i = 0; i < 4; i++) call(false);
    time.advance(5_000);
    call(true);
    call(true);
    expect(breaker.state).toBe('closed');
    call(false);
    expect(breaker.state).toBe('closed');
  });
});
