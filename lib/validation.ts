import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';
import { type FieldError, ValidationError } from './errors.js';

/**
 * Checks `input` against `schema` and returns it typed, or throws a {@link ValidationError} naming every
 * offending field. Top-level strings are trimmed first; nothing else is coerced.
 *
 * @example
 * const album = parse(NewAlbum, body, 'album');
 */
export function parse<S extends TSchema>(schema: S, input: unknown, what: string): Static<S> {
  return check(schema, trimStrings(input), what);
}

/**
 * Like {@link parse}, for query-string parameters: they arrive as text, so numbers are converted first.
 *
 * @example
 * const { limit } = parseQuery(AlbumListQuery, event.queryStringParameters ?? {});
 */
export function parseQuery<S extends TSchema>(
  schema: S,
  input: Record<string, string | undefined>,
): Static<S> {
  const present = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  return check(schema, Value.Convert(schema, trimStrings(present)), 'query');
}

function check<S extends TSchema>(schema: S, candidate: unknown, what: string): Static<S> {
  if (Value.Check(schema, candidate)) return candidate as Static<S>;
  const errors = describeErrors(schema, candidate);
  throw new ValidationError(
    `Invalid ${what}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    errors,
  );
}

function trimStrings(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]),
  );
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function describeErrors(schema: TSchema, value: unknown): FieldError[] {
  const described = new Map<string, FieldError>();
  for (const error of Value.Errors(schema, value) as Iterable<SchemaError>) {
    for (const fieldError of describe(schema, error)) {
      // The first problem per field is the useful one: "must be an integer" beats "must be <= 2027" after it.
      if (!described.has(fieldError.field)) described.set(fieldError.field, fieldError);
    }
  }
  return [...described.values()];
}

function describe(schema: TSchema, error: SchemaError): FieldError[] {
  const field = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body';
  const property = propertySchema(schema, field);
  switch (error.keyword) {
    case 'required':
      return (error.params.requiredProperties as string[]).map((name) => ({
        field: name,
        message: 'is required',
      }));
    case 'additionalProperties':
      return (error.params.additionalProperties as string[]).map((name) => ({
        field: name,
        message: 'is not an allowed field',
      }));
    case 'boolean':
      return []; // the schema-level additionalProperties error already names the field
    case 'minLength':
      return [{ field, message: error.params.limit === 1 ? 'must not be empty' : error.message }];
    case 'maxLength':
      return [{ field, message: `must be at most ${error.params.limit} characters` }];
    case 'minimum':
    case 'maximum':
      return [{ field, message: `must be between ${property?.minimum} and ${property?.maximum}` }];
    case 'type':
      return [
        {
          field,
          message: field === 'body' ? 'must be a JSON object' : `must be ${article(error.params.type)}`,
        },
      ];
    case 'format':
      return [
        {
          field,
          message: `must be a valid ${error.params.format === 'uuid' ? 'UUID' : error.params.format}`,
        },
      ];
    default:
      return [{ field, message: error.message }];
  }
}

function propertySchema(schema: TSchema, field: string): Record<string, unknown> | undefined {
  const properties = (schema as { properties?: Record<string, Record<string, unknown>> }).properties;
  return properties?.[field];
}

function article(type: unknown): string {
  const name = String(type);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
