import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { correlateRequest } from '../../../lib/observability/correlation.js';
import { logger } from '../../../lib/observability/logger.js';

/** The correlation id the handler's log lines carry, for a request with this API Gateway request id. */
async function correlationIdSeenFor(requestId: string) {
  const handler = middy<APIGatewayProxyEventV2, unknown>(async () => logger.getCorrelationId()).use(
    correlateRequest(),
  );
  const event = { requestContext: { requestId } };
  return handler(event as unknown as APIGatewayProxyEventV2, {} as Context);
}

describe('correlateRequest', () => {
  it("puts API Gateway's request id on every log line of the request", async () => {
    expect(await correlationIdSeenFor('Xk3bYhJ7oAMEbQw=')).toBe('Xk3bYhJ7oAMEbQw=');
  });

  it("gives each request of a warm container its own id, not the one before's", async () => {
    expect(await correlationIdSeenFor('first-request')).toBe('first-request');
    expect(await correlationIdSeenFor('second-request')).toBe('second-request');
  });
});
