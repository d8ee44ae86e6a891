import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import swaggerUiCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'text' };
import swaggerUiBundle from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'text' };
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
const files: Record<string, { contentType: string; body: string }> = {
  '/docs': { contentType: 'text/html; charset=utf-8', body: page },
  '/docs/openapi.json': { contentType: 'application/json', body: JSON.stringify(openApiDocument) },
  '/docs/swagger-ui.css': { contentType: 'text/css', body: swaggerUiCss },
  '/docs/swagger-ui-bundle.js': { contentType: 'text/javascript', body: swaggerUiBundle },
};

/** GET /docs and its assets: the OpenAPI description rendered by Swagger UI. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const file = files[event.rawPath];
  if (!file) {
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Not Found"}',
    };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': file.contentType, 'cache-control': 'public, max-age=300' },
    body: file.body,
  };
};
