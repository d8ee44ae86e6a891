import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { openApiDocument } from '../../openapi/document.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

/**
 * Asserts that a response the API actually sent is documented: its status is listed for the operation and
 * its body matches the schema the OpenAPI document gives for that status.
 */
export async function expectDocumentedResponse(method: string, pathTemplate: string, response: Response) {
  const paths = openApiDocument.paths as unknown as Record<string, Record<string, Operation>>;
  const operation = paths[pathTemplate]?.[method.toLowerCase()];
  expect(operation, `${method} ${pathTemplate} is not in the OpenAPI document`).toBeDefined();
  const documented = operation?.responses[String(response.status)];
  expect(documented, `${method} ${pathTemplate} does not document status ${response.status}`).toBeDefined();
  const schema = documented?.content?.['application/json']?.schema;
  const body = await response.clone().json();
  if (schema) {
    const validate = ajv.compile({ ...(schema as object), components: openApiDocument.components });
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  }
  return body;
}
