import { createHash } from 'node:crypto';
import { join } from 'node:path';
import middy from '@middy/core';
import { pageSecurityHeaders } from '../lib/http/security-headers.js';
import { packagedFile, type StaticFile, staticFiles } from '../lib/http/static-files.js';
import { courseOpenApiDocument } from '../openapi/course-document.js';
import { openApiDocument } from '../openapi/document.js';

/** The descriptions the two pages show: the album API's, and the course contract's. */
const DOCUMENT_URLS = ['/docs/openapi.json', '/docs/cs6650.json'] as const;

/** The pages' own style: the line linking the other API's page. */
const PAGE_STYLE = '.also { font-family: sans-serif; margin: 1em 20px 0 }';

/**
 * The script that starts Swagger UI on one description. No validator: Swagger UI would otherwise send the
 * description to validator.swagger.io and show its badge.
 */
const startScript = (documentUrl: string) =>
  `SwaggerUIBundle({ url: '${documentUrl}', dom_id: '#swagger-ui', validatorUrl: null });`;

/** A Swagger UI page for one description; each page links to the other API's. */
const page = (title: string, documentUrl: string, other: { href: string; label: string }) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <style>${PAGE_STYLE}</style>
</head>
<body>
  <p class="also">Also: <a href="${other.href}">${other.label}</a></p>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>${startScript(documentUrl)}</script>
</body>
</html>`;

/** A CSP source allowing one inline script or style element, by its hash. */
const inlineSource = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * What the docs pages load, and nothing more: Swagger UI's script and stylesheet from here, the two inline
 * elements by hash, the descriptions from here, and the `data:` images Swagger UI's stylesheet draws its
 * icons with. Its "Try it out" sends requests to this API only.
 */
export const docsContentSecurityDirectives: Record<string, string> = {
  'default-src': "'none'",
  'script-src': ["'self'", ...DOCUMENT_URLS.map((url) => inlineSource(startScript(url)))].join(' '),
  'style-src': `'self' ${inlineSource(PAGE_STYLE)}`,
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'form-action': "'none'",
  'base-uri': "'none'",
  'frame-ancestors': "'none'",
};

/**
 * One of Swagger UI's files, served from the function so the docs work with no network access from the
 * browser. They are packaged beside the bundle (the docs function's package.patterns in serverless.yml),
 * not inside it, so they are read on the first request for them rather than loaded at every cold start
 * (see docs/performance.md#what-the-bundles-leave-out): in the function's package they sit in
 * node_modules/ beside functions/; in a local build, serverless-esbuild keeps a function's extra files in
 * a folder of their own, __only_docs/.
 */
const swaggerUiFile = (name: string) =>
  packagedFile([
    join(__dirname, '..', 'node_modules', 'swagger-ui-dist', name),
    join(__dirname, '..', '__only_docs', 'node_modules', 'swagger-ui-dist', name),
  ]);

const files: Record<string, StaticFile> = {
  '/docs': {
    contentType: 'text/html; charset=utf-8',
    body: page('Album API', DOCUMENT_URLS[0], {
      href: '/docs/cs6650',
      label: 'the CS6650 course contract under /cs6650/',
    }),
  },
  '/docs/openapi.json': { contentType: 'application/json', body: JSON.stringify(openApiDocument) },
  '/docs/cs6650': {
    contentType: 'text/html; charset=utf-8',
    body: page('CS6650 Album Store API', DOCUMENT_URLS[1], { href: '/docs', label: 'the album API' }),
  },
  '/docs/cs6650.json': { contentType: 'application/json', body: JSON.stringify(courseOpenApiDocument) },
  '/docs/swagger-ui.css': { contentType: 'text/css', body: swaggerUiFile('swagger-ui.css') },
  '/docs/swagger-ui-bundle.js': {
    contentType: 'text/javascript',
    body: swaggerUiFile('swagger-ui-bundle.js'),
  },
};

/**
 * GET /docs and its assets: the OpenAPI descriptions of both APIs rendered by Swagger UI, with the security
 * headers of every response and a Content-Security-Policy that allows only what the pages load.
 */
export const handler = middy(staticFiles(files, 'public, max-age=300')).use(
  pageSecurityHeaders(docsContentSecurityDirectives),
);
