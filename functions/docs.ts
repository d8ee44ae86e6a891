import swaggerUiCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'text' };
import swaggerUiBundle from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'text' };
import { type StaticFile, staticFiles } from '../lib/http/static-files.js';
import { openApiDocument } from '../openapi/document.js';

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Album API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#swagger-ui' });</script>
</body>
</html>`;

// Assets are embedded in the bundle so the docs work with no network access from the browser.
const files: Record<string, StaticFile> = {
  '/docs': { contentType: 'text/html; charset=utf-8', body: page },
  '/docs/openapi.json': { contentType: 'application/json', body: JSON.stringify(openApiDocument) },
  '/docs/swagger-ui.css': { contentType: 'text/css', body: swaggerUiCss },
  '/docs/swagger-ui-bundle.js': { contentType: 'text/javascript', body: swaggerUiBundle },
};

/** GET /docs and its assets: the OpenAPI description rendered by Swagger UI. */
export const handler = staticFiles(files, 'public, max-age=300');
