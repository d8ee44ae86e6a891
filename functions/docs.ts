import { join } from 'node:path';
import { packagedFile, type StaticFile, staticFiles } from '../lib/http/static-files.js';
import { courseOpenApiDocument } from '../openapi/course-document.js';
import { openApiDocument } from '../openapi/document.js';

/** A Swagger UI page for one description; each page links to the other API's. */
const page = (title: string, documentUrl: string, other: { href: string; label: string }) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <p style="font-family: sans-serif; margin: 1em 20px 0">Also: <a href="${other.href}">${other.label}</a></p>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({ url: '${documentUrl}', dom_id: '#swagger-ui' });</script>
</body>
</html>`;

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
    body: page('Album API', '/docs/openapi.json', {
      href: '/docs/cs6650',
      label: 'the CS6650 course contract under /cs6650/',
    }),
  },
  '/docs/openapi.json': { contentType: 'application/json', body: JSON.stringify(openApiDocument) },
  '/docs/cs6650': {
    contentType: 'text/html; charset=utf-8',
    body: page('CS6650 Album Store API', '/docs/cs6650.json', { href: '/docs', label: 'the album API' }),
  },
  '/docs/cs6650.json': { contentType: 'application/json', body: JSON.stringify(courseOpenApiDocument) },
  '/docs/swagger-ui.css': { contentType: 'text/css', body: swaggerUiFile('swagger-ui.css') },
  '/docs/swagger-ui-bundle.js': {
    contentType: 'text/javascript',
    body: swaggerUiFile('swagger-ui-bundle.js'),
  },
};

/** GET /docs and its assets: the OpenAPI descriptions of both APIs rendered by Swagger UI. */
export const handler = staticFiles(files, 'public, max-age=300');
