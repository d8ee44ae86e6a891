import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface StaticFile {
  contentType: string;
  body: string;
}

/**
 * A handler that serves files embedded in the bundle, by request path; any other path is a JSON 404.
 *
 * @example
 * export const handler = staticFiles({ '/': { contentType: 'text/html', body: indexHtml } }, 'no-cache');
 */
export function staticFiles(files: Record<string, StaticFile>, cacheControl: string) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
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
      headers: { 'content-type': file.contentType, 'cache-control': cacheControl },
      body: file.body,
    };
  };
}
