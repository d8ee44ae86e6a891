import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { courseOpenApiDocument } from '../../openapi/course-document.js';
import { openApiDocument } from '../../openapi/document.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

type Operation = {
  responses: Record<
    string,
    { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }
  >;
};
interface Document {
  paths: unknown;
  components: unknown;
}

/** A checker of responses against one OpenAPI document. */
function documentedResponse(document: Document, name: string) {
  return async (method: string, pathTemplate: string, response: Response) => {
    const paths = document.paths as Record<string, Record<string, Operation>>;
    const operation = paths[pathTemplate]?.[method.toLowerCase()];
    expect(operation, `${method} ${pathTemplate} is not in the ${name} OpenAPI document`).toBeDefined();
    const documented = operation?.responses[String(response.status)];
    expect(documented, `${method} ${pathTemplate} does not document status ${response.status}`).toBeDefined();
    for (const header of Object.keys(documented?.headers ?? {})) {
      expect(
        response.headers.has(header),
        `${method} ${pathTemplate} ${response.status} has no ${header}`,
      ).toBe(true);
    }
    if (!documented?.content) {
      expect(await response.clone().text(), `${method} ${pathTemplate} ${response.status} has a body`).toBe(
        '',
      );
      return undefined;
    }
    const schema = documented?.content?.['application/json']?.schema;
    const body = await response.clone().json();
    if (schema) {
      const validate = ajv.compile({ ...(schema as object), components: document.components });
      expect(validate(body), `${JSON.stringify(body)}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    return body;
  };
}

/**
 * Asserts that a response the API actually sent is documented: its status is listed for the operation, it
 * carries the headers documented for that status, and its body matches the schema given for it (no body
 * when none is documented, as for a 304).
 */
export const expectDocumentedResponse = documentedResponse(openApiDocument, 'album API');

/**
 * {@link expectDocumentedResponse} for the course contract under /cs6650/, against its own document; the
 * path template is the document's, without the /cs6650 prefix (`/albums/{albumID}`).
 */
export const expectCourseResponse = documentedResponse(courseOpenApiDocument, 'CS6650');

/**
 * The course operation a URL under /cs6650/ reaches, as the course document names it: each path shape has
 * one method, so the path alone tells.
 *
 * @example
 * courseOperation('http://localhost:3000/cs6650/review/like/1'); // ['POST', '/review/{likeornot}/{albumID}']
 */
export function courseOperation(url: string): [method: string, pathTemplate: string] {
  const path = new URL(url, 'http://localhost').pathname.replace(/^\/cs6650/, '');
  const segments = path.split('/').slice(1);
  if (segments[0] === 'albums')
    return segments.length === 1 ? ['POST', '/albums'] : ['GET', '/albums/{albumID}'];
  return segments.length === 3 ? ['POST', '/review/{likeornot}/{albumID}'] : ['GET', '/review/{albumID}'];
}
