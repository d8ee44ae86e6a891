import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import appCss from '../web/app.css' with { type: 'text' };
// @ts-expect-error the type checker cannot see import attributes: the bundler embeds this file as text
import appJs from '../web/app.js' with { type: 'text' };
import indexHtml from '../web/index.html' with { type: 'text' };

// The page's files are embedded in the bundle, so the page is served the same way locally and deployed.
const files: Record<string, { contentType: string; body: string }> = {
  '/': { contentType: 'text/html; charset=utf-8', body: indexHtml },
  '/app/app.js': { contentType: 'text/javascript; charset=utf-8', body: appJs },
  '/app/app.css': { contentType: 'text/css; charset=utf-8', body: appCss },
};

/** GET / and /app/{file}: the album web page. */
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
    headers: { 'content-type': file.contentType, 'cache-control': 'no-cache' },
    body: file.body,
  };
};
