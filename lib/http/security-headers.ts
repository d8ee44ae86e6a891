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

/**
 * The same headers for the album page (web/), with the page's own Content-Security-Policy (its
 * `directives`, lib/web/content-security-policy.ts) in place of the API's. Cross-origin embedding is not
 * required of the bucket's images, which send no such header.
 *
 * @example
 * middy(staticFiles(files, 'no-cache')).use(pageSecurityHeaders(pageContentSecurityDirectives(config)));
 */
export function pageSecurityHeaders(
  directives: Record<string, string>,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const policy: Record<string, string | undefined> = {
    ...API_CONTENT_SECURITY_POLICY,
    ...directives,
    // A browser page, not a document to isolate: scripts and forms must run.
    sandbox: undefined,
    'require-trusted-types-for': undefined,
  };
  return httpSecurityHeaders({
    contentSecurityPolicy: policy as Record<string, string>,
    crossOriginEmbedderPolicy: false,
  }) as MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
}
