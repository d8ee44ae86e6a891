import type { TSchema } from 'typebox';

/** Plain JSON Schema of a TypeBox schema, without the `$id`s that would clash once schemas nest. */
export function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema, (key, value) => (key === '$id' ? undefined : value)));
}

/** OpenAPI parameters from an object schema: one per property, its description lifted out. */
export function parameters(schema: TSchema, location: 'path' | 'query' | 'header') {
  const { properties, required = [] } = plain(schema) as {
    properties: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: required.includes(name),
      description,
      schema: propertySchema,
      example: firstExample(propertySchema),
    };
  });
}

/** The first of a schema's `examples`: what Swagger UI fills a parameter or a body with for "Try it out". */
function firstExample(schema: Record<string, unknown>): unknown {
  return (schema.examples as unknown[] | undefined)?.[0];
}

/** A reference to a schema under `components.schemas`. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON body of the named component schema. */
export const jsonContent = (name: string) => ({ 'application/json': { schema: ref(name) } });

/** A JSON request body of the named component schema, `schema`, with its example. */
export const jsonRequest = (name: string, schema: TSchema) => ({
  'application/json': { schema: ref(name), example: firstExample(plain(schema)) },
});

/** An error response whose body is the document's `Error` schema. */
export const errorResponse = (description: string) => ({ description, content: jsonContent('Error') });

/** The `If-None-Match` request header of a GET whose 200 carries an `ETag`. */
export const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'Entity tags of copies the client holds (or `*`); when one is current the answer is 304',
  schema: { type: 'string' },
  example: '"-sPpZBv2CebxdDMsHg62vR2VSYh"',
};

/** The caching headers of a GET's 200 and of its 304, `cacheControl` saying how long a copy stays fresh. */
const cachingHeaders = (cacheControl: string) => ({
  ETag: { schema: { type: 'string' }, description: 'Strong entity tag of the body' },
  'Cache-Control': { schema: { type: 'string' }, description: cacheControl },
});

/** A GET's 200 with a JSON body of the named component schema, its caching headers and any others. */
export const cacheableContent = (
  description: string,
  name: string,
  cacheControl: string,
  headers: Record<string, { schema: unknown; description: string }> = {},
) => ({
  description,
  headers: { ...cachingHeaders(cacheControl), ...headers },
  content: jsonContent(name),
});

/** The 304 a GET answers when `If-None-Match` names the current entity tag: no body. */
export const notModified = (cacheControl: string) => ({
  description: 'Not modified: the copy the client holds is current (no body)',
  headers: cachingHeaders(cacheControl),
});
