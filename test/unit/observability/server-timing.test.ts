import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { serverTiming, timeSpentIn } from '../../../lib/observability/server-timing.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const event = {} as APIGatewayProxyEventV2;
const context = {} as Context;

/** A handler that spends `dbMs` in the database and `queueMs` in the queue, then answers or throws. */
const route = (dbMs: number, queueMs: number, outcome: 'answer' | 'throw' = 'answer') =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(async () => {
    await timeSpentIn('db', () => sleep(dbMs));
    if (queueMs > 0) await timeSpentIn('queue', () => sleep(queueMs));
    if (outcome === 'throw') throw new Error('refused');
    return { statusCode: 200, headers: { 'server-timing': 'album-cache;desc=hit' }, body: '{}' };
  })
    .use(serverTiming())
    .use({
      onError: (request) => {
        request.response = { statusCode: 503, body: '{}' };
      },
    });

const durations = (header: string | undefined) =>
  Object.fromEntries(
    [...(header ?? '').matchAll(/(\w+);dur=([\d.]+)/g)].map(([, name, ms]) => [name, Number(ms)]),
  );

describe('the Server-Timing middleware', () => {
  it("adds the database's and the queue's time after the handler's own entries", async () => {
    const response = await route(30, 15)(event, context);
    const header = String(response.headers?.['server-timing']);
    expect(header).toMatch(/^album-cache;desc=hit, db;dur=\d+\.\d, queue;dur=\d+\.\d$/);
    const { db = 0, queue = 0 } = durations(header);
    expect(db).toBeGreaterThanOrEqual(28);
    expect(queue).toBeGreaterThanOrEqual(13);
    expect(queue).toBeLessThan(db);
  });

  it('times each of concurrent invocations apart, as the local stack runs them in one process', async () => {
    const [slow, fast] = await Promise.all([route(120, 0)(event, context), route(10, 0)(event, context)]);
    expect(durations(String(slow.headers?.['server-timing'])).db).toBeGreaterThanOrEqual(115);
    expect(durations(String(fast.headers?.['server-timing'])).db).toBeLessThan(100);
  });

  it('times an error response too', async () => {
    const response = await route(20, 0, 'throw')(event, context);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['server-timing']).toMatch(/^db;dur=\d+\.\d, queue;dur=0\.0$/);
  });

  it('outside an invocation, only runs the call', async () => {
    await expect(timeSpentIn('db', async () => 42)).resolves.toBe(42);
  });
});
