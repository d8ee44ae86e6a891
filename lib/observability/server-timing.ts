import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Where a request's time goes outside the function's own code, as `Server-Timing` names it. */
export type TimedDependency = 'db' | 'queue';

type Spent = Record<TimedDependency, number>;

/**
 * The time the invocation in progress has spent in each dependency. Per invocation, not per container: the
 * local stack runs concurrent invocations of a function in one process, which a module-level tally would mix.
 */
const spentByInvocation = new AsyncLocalStorage<Spent>();

/**
 * Runs `call` and adds how long it took to the current invocation's time in `dependency`, for the
 * `Server-Timing` header {@link serverTiming} sends; outside an invocation it only runs `call`.
 *
 * @example
 * const output = await timeSpentIn('db', () => client.send(new ExecuteStatementCommand(input)));
 */
export async function timeSpentIn<T>(dependency: TimedDependency, call: () => Promise<T>): Promise<T> {
  const spent = spentByInvocation.getStore();
  if (!spent) return call();
  const startedAt = performance.now();
  try {
    return await call();
  } finally {
    spent[dependency] += performance.now() - startedAt;
  }
}

/**
 * A middy middleware that sends, with every response (errors included), a `Server-Timing` header with the
 * invocation's time in the database and the queue (`db;dur=3.1, queue;dur=0.0`, ms), as measured by the
 * adapters ({@link timeSpentIn}); any `Server-Timing` the handler set comes first. Cheap (two clock reads per
 * call) and safe to send on AWS: it tells a client how long, not what.
 *
 * @example
 * export const handler = middy(route).use(serverTiming()).use(httpErrors());
 */
export function serverTiming(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const addHeader = (request: { response?: APIGatewayProxyStructuredResultV2 | null }) => {
    const spent = spentByInvocation.getStore();
    const response = request.response;
    if (!spent || !response) return;
    const headers = { ...response.headers };
    const existing = Object.keys(headers).find((name) => name.toLowerCase() === 'server-timing');
    const timings = `db;dur=${spent.db.toFixed(1)}, queue;dur=${spent.queue.toFixed(1)}`;
    if (existing) {
      headers[existing] = `${headers[existing]}, ${timings}`;
    } else headers['server-timing'] = timings;
    response.headers = headers;
  };
  return {
    // Synchronous, so that the tally it opens is the one the handler's calls and the later middlewares see.
    before: () => {
      spentByInvocation.enterWith({ db: 0, queue: 0 });
    },
    after: addHeader,
    onError: addHeader,
  };
}
