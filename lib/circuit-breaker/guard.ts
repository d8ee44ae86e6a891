import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
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

/** What the middleware puts on the Lambda context: the one way the handler makes the guarded call. */
export interface CircuitGuard {
  /** Runs `call` if the circuit allows it and records its outcome; throws {@link CircuitOpenError} if not. */
  run<T>(call: () => Promise<T>): Promise<T>;
  readonly state: CircuitState;
  readonly retryAfterMs: number;
}

export type ContextWithCircuit = Context & { circuit: CircuitGuard };

export interface CircuitBreakerMiddlewareOptions extends CircuitBreakerOptions {
  /** Names the guarded dependency in errors and logs. */
  name: string;
}

/**
 * A middy middleware that guards one outside dependency with a circuit breaker. The breaker lives in the
 * factory's closure, so its state carries across the invocations of a warm container; the handler makes
 * the guarded call through `context.circuit.run(...)`.
 *
 * @example
 * export const handler = middy(async (event, context: ContextWithCircuit) => {
 *   await context.circuit.run(() => queue.publish(message));
 * }).use(circuitBreaker({ name: 'reviews-queue', onTransition: (from, to) => logger.warn(`${from} -> ${to}`) }));
 */
export function circuitBreaker<TEvent = unknown, TResult = unknown>(
  options: Partial<CircuitBreakerMiddlewareOptions> = {},
): MiddlewareObj<TEvent, TResult, Error, ContextWithCircuit> {
  const name = options.name ?? 'dependency';
  const breaker = new CircuitBreaker(options);
  const guard: CircuitGuard = {
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
  return {
    before: async (request) => {
      request.context.circuit = guard;
    },
  };
}
