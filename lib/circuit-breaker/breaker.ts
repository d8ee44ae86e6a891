/** The three states of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failure rate (0–1) over the rolling window at which the circuit opens. */
  failureRateThreshold: number;
  /** Calls the window must hold before the failure rate counts: one early failure must not open it. */
  minimumCalls: number;
  /** Length of the rolling window of outcomes. */
  windowMs: number;
  /** How long the circuit stays open before it lets trial calls through. */
  openMs: number;
  /** Trial calls allowed in half-open; all must succeed to close, any failure reopens. */
  halfOpenTrials: number;
  /** The clock; injected in tests. */
  now: () => number;
  /** Told of every state change, e.g. to log and count it. */
  onTransition: (from: CircuitState, to: CircuitState) => void;
}

export const circuitBreakerDefaults: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureRateThreshold: 0.5,
  minimumCalls: 5,
  windowMs: 10_000,
  openMs: 5_000,
  halfOpenTrials: 3,
  now: () => Date.now(),
  onTransition: () => undefined,
});

/**
 * A circuit breaker driven by timestamps rather than timers, so it stays correct in a Lambda container
 * that is frozen between invocations: every question is answered from the clock at the time it is asked.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureRateThreshold: 0.5 });
 * if (breaker.tryAcquire()) {
 *   try { await send(); breaker.recordSuccess(); } catch (error) { breaker.recordFailure(); throw error; }
 * }
 */
export class CircuitBreaker {
  readonly options: CircuitBreakerOptions;
  #state: CircuitState = 'closed';
  #openedAt = 0;
  #outcomes: Array<{ at: number; failed: boolean }> = [];
  #trialsStarted = 0;
  #trialsSucceeded = 0;

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.options = { ...circuitBreakerDefaults, ...options };
  }

  /** The state now: an open circuit whose wait is over reads as half-open. */
  get state(): CircuitState {
    if (this.#state === 'open' && this.options.now() - this.#openedAt >= this.options.openMs) {
      this.#transition('half-open');
    }
    return this.#state;
  }

  /** Milliseconds until an open circuit lets a trial through (0 when it is not open). */
  get retryAfterMs(): number {
    return this.state === 'open' ? this.#openedAt + this.options.openMs - this.options.now() : 0;
  }

  /** Asks to make a call: true when closed, or for one of the limited trial calls in half-open. */
  tryAcquire(): boolean {
    switch (this.state) {
      case 'closed':
        return true;
      case 'open':
        return false;
      case 'half-open':
        if (this.#trialsStarted >= this.options.halfOpenTrials) return false;
        this.#trialsStarted++;
        return true;
    }
  }

  /** Records that a permitted call succeeded. */
  recordSuccess(): void {
    if (this.#state === 'half-open') {
      this.#trialsSucceeded++;
      if (this.#trialsSucceeded >= this.options.halfOpenTrials) this.#transition('closed');
      return;
    }
    this.#record(false);
  }

  /** Records that a permitted call failed; may open the circuit. */
  recordFailure(): void {
    if (this.#state === 'half-open') {
      this.#transition('open');
      return;
    }
    this.#record(true);
    const failures = this.#outcomes.filter((outcome) => outcome.failed).length;
    if (
      this.#outcomes.length >= this.options.minimumCalls &&
      failures / this.#outcomes.length >= this.options.failureRateThreshold
    ) {
      this.#transition('open');
    }
  }

  #record(failed: boolean): void {
    const now = this.options.now();
    this.#outcomes.push({ at: now, failed });
    const windowStart = now - this.options.windowMs;
    while (this.#outcomes.length > 0 && (this.#outcomes[0]?.at ?? now) <= windowStart) this.#outcomes.shift();
  }

  #transition(to: CircuitState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    if (to === 'open') this.#openedAt = this.options.now();
    // Every state starts afresh: a closed circuit must not reopen on failures from before it closed.
    this.#outcomes = [];
    this.#trialsStarted = 0;
    this.#trialsSucceeded = 0;
    this.options.onTransition(from, to);
  }
}
