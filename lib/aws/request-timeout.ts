/**
 * The `requestHandler` options of an SDK client whose requests fail after `timeoutMs` without an answer,
 * whether the connection is refused, never established, or accepted and left silent. The SDK's
 * `requestTimeout` alone only logs a warning (`throwOnRequestTimeout` turns it into a `TimeoutError`), so
 * a stalled service would otherwise hold a function until its own timeout kills it.
 *
 * @example
 * new SQSClient({ maxAttempts: 1, requestHandler: timedRequests(1_000) });
 */
export function timedRequests(timeoutMs: number) {
  return { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true } as const;
}
