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
    return { name, in: location, required: required.includes(name), description, schema: propertySchema };
  });
}

/** A reference to a schema under `components.schemas`. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON body of the named component schema. */
export const jsonContent = (name: string) => ({ 'application/json': { schema: ref(name) } });

/** An error response whose body is the document's `Error` schema. */
export const errorResponse = (description: string) => ({ description, content: jsonContent('Error') });
