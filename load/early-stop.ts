import { shorten } from './outcome.js';
import type { Recorder } from './recorder.js';

/** How long a run goes on while every request fails: long enough for a slow first answer to come. */
export const EARLY_STOP_SECONDS = 3;

/**
 * Stops a run (through `abort`) when every request that ended in its first seconds failed: a server that is
 * not there, or refuses everything, tells no more over the whole run than in those seconds, and k6's
 * `abortOnFail` stops as early. `reason()` then says why, in one line, with the first failure's cause.
 *
 * @example
 * const watchdog = stopWhenEveryRequestFails(recorder, abort);
 * await runClosedLoop({ http, recorder, signal: abort.signal }, options);
 * watchdog.cancel();
 * watchdog.reason(); // 'stopped after 3 s: all 9120 requests failed, the first with connection refused (…)'
 */
export function stopWhenEveryRequestFails(
  recorder: Pick<Recorder, 'progress' | 'firstFailure'>,
  abort: AbortController,
  seconds = EARLY_STOP_SECONDS,
): { reason(): string | undefined; cancel(): void } {
  let reason: string | undefined;
  const timer = setTimeout(() => {
    const { completed, errors } = recorder.progress;
    const first = recorder.firstFailure;
    if (completed === 0 || errors < completed || !first) return;
    reason =
      `stopped after ${seconds} s: all ${completed} requests failed, ` +
      `the first with ${first.cause} (${shorten(first.example)})`;
    abort.abort();
  }, seconds * 1000);
  timer.unref();
  return { reason: () => reason, cancel: () => clearTimeout(timer) };
}
