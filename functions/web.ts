import { join } from 'node:path';
import middy from '@middy/core';
import { loadWebPageConfig } from '../lib/config.js';
import { pageSecurityHeaders } from '../lib/http/security-headers.js';
import { packagedFile, type StaticFile, staticFiles } from '../lib/http/static-files.js';
import { pageContentSecurityDirectives } from '../lib/web/content-security-policy.js';
import appCss from '../web/app.css' with { type: 'text' };
// @ts-expect-error the type checker cannot see import attributes: the bundler embeds this file as text
import appJs from '../web/app.js' with { type: 'text' };
import indexHtml from '../web/index.html' with { type: 'text' };
// @ts-expect-error the type checker cannot see import attributes: the bundler embeds this file as text
import signInJs from '../web/sign-in.js' with { type: 'text' };

const config = loadWebPageConfig();

/**
 * The browser build of oidc-client-ts, which the page loads only where it signs in on a hosted page. Packaged
 * beside the bundle, as Swagger UI is for the docs, so it is read on the first request for it rather
 * than at every cold start (see docs/performance.md#what-the-bundles-leave-out): node_modules/ beside
 * functions/ in the function's package, __only_web/ in a local build.
 */
const oidcClient = packagedFile(
  ['node_modules', join('__only_web', 'node_modules')].map((root) =>
    join(__dirname, '..', root, 'oidc-client-ts', 'dist', 'browser', 'oidc-client-ts.min.js'),
  ),
);

const script = 'text/javascript; charset=utf-8';

// The page's own files are embedded in the bundle, so the page is served the same way locally and deployed.
const files: Record<string, StaticFile> = {
  '/': { contentType: 'text/html; charset=utf-8', body: indexHtml },
  '/app/app.js': { contentType: script, body: appJs },
  '/app/sign-in.js': { contentType: script, body: signInJs },
  '/app/oidc-client-ts.js': { contentType: script, body: oidcClient },
  '/app/app.css': { contentType: 'text/css; charset=utf-8', body: appCss },
  '/app/config.json': { contentType: 'application/json', body: JSON.stringify({ signIn: config.signIn }) },
};

/** GET / and /app/{file}: the album web page, and how it signs people in, with the page's security headers. */
export const handler = middy(staticFiles(files, 'no-cache')).use(
  pageSecurityHeaders(pageContentSecurityDirectives(config)),
);
