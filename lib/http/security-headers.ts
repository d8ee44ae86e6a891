import type { MiddlewareObj } from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CoversConfig } from '../config.js';

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
 * The same headers for the album page (web/), whose Content-Security-Policy allows only what it loads: its
 * own script and style, its data: icon, the API on its own origin, and the covers bucket, which it
 * uploads covers to and shows them from (presigned URLs on the bucket's regional host, or the local S3
 * endpoint). Cross-origin embedding is not required of the bucket's images, which send no such header.
 *
 * @example
 * export const handler = middy(staticFiles(files, 'no-cache')).use(pageSecurityHeaders(loadCoversConfig()));
 */
export function pageSecurityHeaders(
  covers: Pick<CoversConfig, 'bucket' | 'region' | 'endpoint'>,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const coversOrigin = covers.endpoint
    ? new URL(covers.endpoint).origin
    : `https://${covers.bucket}.s3.${covers.region}.amazonaws.com`;
  const policy: Record<string, string | undefined> = {
    ...API_CONTENT_SECURITY_POLICY,
    'script-src': "'self'",
    'style-src': "'self'",
    'img-src': `'self' data: ${coversOrigin}`,
    'connect-src': `'self' ${coversOrigin}`,
    // The page's forms are sent by its script, never by the browser itself.
    'form-action': "'none'",
    // A browser page, not a document to isolate: scripts and forms must run.
    sandbox: undefined,
    'require-trusted-types-for': undefined,
  };
  return httpSecurityHeaders({
    contentSecurityPolicy: policy as Record<string, string>,
    crossOriginEmbedderPolicy: false,
  }) as MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
}
