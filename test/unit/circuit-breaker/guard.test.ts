import { describe, expect, it } from 'vitest';
import { CircuitOpenError, circuitGuard } from '../../../lib/circuit-breaker/guard.js';

// The clock is the one thing a test must control: the guard reads it to decide when an open circuit may try again.
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** A dependency that fails until it is healed, counting the calls that reached it. */
function flakyDependency() {
  const dependency = {
    healthy: false,
    calls: 0,
    async send() {
      dependency.calls++;
      if (!dependency.healthy) throw new Error('connect ECONNREFUSED');
      return 'queued';
    },
  };
  return dependency;
}

function guardWith(now: () => number) {
  return circuitGuard({
    name: 'reviews-queue',
    minimumCalls: 2,
    failureRateThreshold: 0.5,
    openMs: 1_000,
    halfOpenTrials: 1,
    now,
  });
}

describe('circuitGuard', () => {
  it("passes a call's result through, and its error as it was thrown", async () => {
    const dependency = flakyDependency();
    const guard = guardWith(clock().now);
    await expect(guard.run(() => dependency.send())).rejects.toThrow('connect ECONNREFUSED');
    dependency.healthy = true;
    await expect(guard.run(() => dependency.send())).resolves.toBe('queued');
    expect(guard.state).toBe('closed');
  });

  it('fails fast once open, without calling the dependency, and says when to try again', async () => {
    const time = clock();
    const dependency = flakyDependency();
    const guard = guardWith(time.now);
    await guard.run(() => dependency.send()).catch(() => undefined);
    await guard.run(() => dependency.send()).catch(() => undefined);
    expect(guard.state).toBe('open');

    time.advance(400);
    const error = await guard.run(() => dependency.send()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ circuit: 'reviews-queue', retryAfterMs: 600 });
    expect(guard.retryAfterMs).toBe(600);
    expect(dependency.calls).toBe(2);
  });

  it('lets a trial through once the open period is over, and closes when it succeeds', async () => {
    const time = clock();
    const dependency = flakyDependency();
    const guard = guardWith(time.now);
    await guard.run(() => dependency.send()).catch(() => undefined);
    await guard.run(() => dependency.send()).catch(() => undefined);

    dependency.healthy = true;
    time.advance(1_000);
    expect(guard.state).toBe('half-open');
    await expect(guard.run(() => dependency.send())).resolves.toBe('queued');
    expect(guard.state).toBe('closed');
    expect(guard.retryAfterMs).toBe(0);
    expect(dependency.calls).toBe(3);
  });

  it('reopens for a full period when the trial fails', async () => {
    const time = clock();
    const dependency = flakyDependency();
    const guard = guardWith(time.now);
    await guard.run(() => dependency.send()).catch(() => undefined);
    await guard.run(() => dependency.send()).catch(() => undefined);

    time.advance(1_000);
    await expect(guard.run(() => dependency.send())).rejects.toThrow('connect ECONNREFUSED');
    expect(guard.state).toBe('open');
    expect(guard.retryAfterMs).toBe(1_000);
  });

  it('keeps the state of every guard apart', async () => {
    const dependency = flakyDependency();
    const time = clock();
    const queue = guardWith(time.now);
    const other = guardWith(time.now);
    await queue.run(() => dependency.send()).catch(() => undefined);
    await queue.run(() => dependency.send()).catch(() => undefined);
    expect(queue.state).toBe('open');
    expect(other.state).toBe('closed');
  });
});
