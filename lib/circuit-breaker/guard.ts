import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './breaker.js';

/** Thrown instead of making a call while the circuit is open: the caller fails fast and takes its fallback. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly circuit: string,
    readonly retryAfterMs: number,
  ) {
    super(`Circuit ${circuit} is open`);
  }
}

/** One outside dependency's calls, made through a circuit breaker. */
export interface CircuitGuard {
  /** Runs `call` if the circuit allows it and records its outcome; throws {@link CircuitOpenError} if not. */
  run<T>(call: () => Promise<T>): Promise<T>;
  readonly state: CircuitState;
  readonly retryAfterMs: number;
}

export interface CircuitGuardOptions extends CircuitBreakerOptions {
  /** Names the guarded dependency in errors and logs. */
  name: string;
}

/**
 * Guards one outside dependency with a circuit breaker. Build it once per container, beside the client it
 * guards, and hand it to the code that makes the calls: the breaker lives in this closure, so its state
 * carries across the invocations of a warm container, and it reads the clock rather than timers, so a
 * container frozen between invocations does not matter. Options are merged over `circuitBreakerDefaults`.
 *
 * @example
 * const queueCircuit = circuitGuard({ name: 'reviews-queue', onTransition: (from, to) => logger.warn(`${from} -> ${to}`) });
 * await queueCircuit.run(() => queue.publish(message)); // CircuitOpenError while open: take the fallback
 */
export function circuitGuard(options: Partial<CircuitGuardOptions> = {}): CircuitGuard {
  const name = options.name ?? 'dependency';
  const breaker = new CircuitBreaker(options);
  return {
    async run(call) {
      if (!breaker.tryAcquire()) throw new CircuitOpenError(name, breaker.retryAfterMs);
      try {
        const result = await call();
        breaker.recordSuccess();
        return result;
      } catch (error) {
        breaker.recordFailure();
        throw error;
      }
    },
    get state() {
      return breaker.state;
    },
    get retryAfterMs() {
      return breaker.retryAfterMs;
    },
  };
}
