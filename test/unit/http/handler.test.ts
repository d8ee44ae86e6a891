import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError } from '../../../lib/errors.js';
import { httpHandler } from '../../../lib/http/handler.js';
import { json } from '../../../lib/http/responses.js';
import { logger } from '../../../lib/observability/logger.js';

const event = {
  rawPath: '/albums/6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
  requestContext: { requestId: 'Xk3bYhJ7oAMEbQw=', http: { method: 'GET' } },
  headers: {},
} as unknown as APIGatewayProxyEventV2;

/** Lambda's context with `remainingMs` left before the function's timeout. */
const lambdaContext = (remainingMs: number) =>
  ({
    functionName: 'getAlbum',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

/** Header names lowercased, as a client reads them. */
const headersOf = (response: { headers?: Record<string, unknown> }) =>
  Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe('httpHandler', () => {
  // Which security headers, and their values, is test/unit/http/security-headers.test.ts's subject.
  it("answers the route's response with the security headers every response carries", async () => {
    const handler = httpHandler(async () => json(200, { ok: true }));
    const response = await handler(event, lambdaContext(10_000));
    expect(response).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(headersOf(response)).toMatchObject({
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
    });
  });

  it('maps a named error to its JSON answer, security headers included', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const handler = httpHandler(async () => {
      throw new NotFoundError('Album 6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5 does not exist');
    });
    const response = await handler(event, lambdaContext(10_000));
    expect(response).toMatchObject({
      statusCode: 404,
      body: JSON.stringify({ message: 'Album 6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5 does not exist' }),
    });
    expect(headersOf(response)).toMatchObject({ 'x-content-type-options': 'nosniff' });
  });

  it("logs the request's lines under its API Gateway request id", async () => {
    const handler = httpHandler(async () => json(200, { correlationId: logger.getCorrelationId() }));
    const response = await handler(event, lambdaContext(10_000));
    expect(JSON.parse(response.body ?? '')).toEqual({ correlationId: 'Xk3bYhJ7oAMEbQw=' });
  });

  it("answers 503 with Retry-After, a second before the function's timeout, a request whose dependency stalled", async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const stalled = new Promise<never>(() => undefined);
    const handler = httpHandler(() => stalled);
    const started = Date.now();
    const response = await handler(event, lambdaContext(1_300));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(response).toMatchObject({
      statusCode: 503,
      body: JSON.stringify({ message: 'The service could not answer in time' }),
    });
    expect(headersOf(response)).toMatchObject({ 'retry-after': '1', 'x-content-type-options': 'nosniff' });
  });
});
