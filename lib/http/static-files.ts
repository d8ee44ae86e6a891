import { readFile } from 'node:fs/promises';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface StaticFile {
  contentType: string;
  /** The text, or how to read it on the first request for it ({@link packagedFile}). */
  body: string | (() => Promise<string>);
}

/**
 * A handler that serves files by request path, a trailing slash aside (API Gateway routes `/docs/` as
 * `/docs`); any other path is a JSON 404.
 *
 * @example
 * export const handler = staticFiles({ '/': { contentType: 'text/html', body: indexHtml } }, 'no-cache');
 */
export function staticFiles(files: Record<string, StaticFile>, cacheControl: string) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const file = files[event.rawPath.replace(/(.)\/$/, '$1')];
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
      body: typeof file.body === 'string' ? file.body : await file.body(),
    };
  };
}

/**
 * A file shipped in the function's package beside its bundle, read from the first of `paths` that exists
 * when it is first asked for and kept for the container's life: large assets stay out of the code loaded
 * at cold start.
 *
 * @example
 * body: packagedFile([join(__dirname, '..', 'assets', 'viewer.js')]);
 */
export function packagedFile(paths: string[]): () => Promise<string> {
  let text: Promise<string> | undefined;
  const readFirst = async (): Promise<string> => {
    for (const path of paths) {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new Error(`Not in the function's package: ${paths.join(' or ')}`);
  };
  return () => {
    text ??= readFirst().catch((error: unknown) => {
      text = undefined;
      throw error;
    });
    return text;
  };
}
