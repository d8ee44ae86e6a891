import type { MiddlewareObj } from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The headers a hardened API sends with every response, errors included, through middy's
 * http-security-headers (helmet's set): HSTS, nosniff, no framing, no referrer, same-origin resource and
 * opener policies, no permissions, and a Content-Security-Policy that lets a JSON document load, run and
 * embed nothing (OWASP's REST Security Cheat Sheet). Middy's default CSP names a report group that does
 * not exist here and upgrades requests, which the local stack's plain HTTP would not survive: both out.
 *
 * @example
 * export const handler = middy(route).use(securityHeaders()).use(httpErrors());
 */
export function securityHeaders(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return httpSecurityHeaders({
    contentSecurityPolicy: API_CONTENT_SECURITY_POLICY as Record<string, string>,
  }) as MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
}

/** Directives over middy's defaults; undefined takes one out, which the option's type does not admit. */
const API_CONTENT_SECURITY_POLICY: Record<string, string | undefined> = {
  'default-src': "'none'",
  'report-to': undefined,
  'upgrade-insecure-requests': undefined,
};
