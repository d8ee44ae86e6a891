import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { loadWebPageConfig } from '../../../lib/config.js';
import { NotFoundError } from '../../../lib/errors.js';
import { httpHandler } from '../../../lib/http/handler.js';
import { json } from '../../../lib/http/responses.js';
import { pageSecurityHeaders } from '../../../lib/http/security-headers.js';
import { pageContentSecurityDirectives } from '../../../lib/web/content-security-policy.js';
import { DEPLOYED_PAGE_ENV } from '../../support/web-page.js';

const event = {
  rawPath: '/albums',
  headers: {},
  requestContext: { requestId: 'req-1', http: { method: 'GET', path: '/albums' } },
} as unknown as APIGatewayProxyEventV2;
const context = {
  functionName: 'album-service-test',
  awsRequestId: 'invocation-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/** The response of a route wrapped as every route is, with header names lowercased as a client sees them. */
async function answer(route: () => Promise<APIGatewayProxyStructuredResultV2>) {
  const response = (await httpHandler(route)(event, context)) as APIGatewayProxyStructuredResultV2;
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  return { status: response.statusCode, headers };
}

const expectHardened = (headers: Record<string, string>) => {
  expect(headers).toMatchObject({
    'strict-transport-security': expect.stringMatching(/^max-age=\d{7,}; includeSubDomains/),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
  });
  const csp = headers['content-security-policy'] ?? '';
  const directives = new Map(
    csp.split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
  expect(directives.get('default-src')).toBe("'none'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
  // No report group is declared, and the local stack speaks plain HTTP.
  expect(directives.has('report-to')).toBe(false);
  expect(directives.has('upgrade-insecure-requests')).toBe(false);
};

describe('the security headers of every route', () => {
  it('are on a successful response, beside its own headers', async () => {
    const { status, headers } = await answer(async () => json(200, { albums: [] }));
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/json');
    expectHardened(headers);
  });

  it('are on an error the route threw, once it is mapped to its response', async () => {
    const { status, headers } = await answer(async () => {
      throw new NotFoundError('Album 7 does not exist');
    });
    expect(status).toBe(404);
    expectHardened(headers);
  });

  it('are on the answer to an unexpected failure', async () => {
    const { status, headers } = await answer(async () => {
      throw new TypeError('a bug');
    });
    expect(status).toBe(500);
    expectHardened(headers);
  });
});

describe("the album page's headers", () => {
  it("carry the page's own Content-Security-Policy, directive for directive, beside the hardened rest", async () => {
    const config = loadWebPageConfig(DEPLOYED_PAGE_ENV);
    const request = { event, context, response: { statusCode: 200, headers: {}, body: '' } };
    await pageSecurityHeaders(pageContentSecurityDirectives(config)).after?.(request as never);
    const headers = request.response.headers as Record<string, string>;
    const policy = String(headers['Content-Security-Policy']);
    for (const [directive, sources] of Object.entries(pageContentSecurityDirectives(config))) {
      expect(policy).toContain(`${directive} ${sources}`);
    }
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
  });
});
