import type { Static, TSchema } from 'typebox';
import { Check, Errors } from 'typebox/value';
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
 * Like {@link parse}, for path parameters: taken exactly as sent, untrimmed, so an id with a trailing
 * newline or space is malformed rather than quietly another id.
 *
 * @example
 * const { albumId } = parsePath(AlbumPath, event.pathParameters ?? {}, 'album id');
 */
export function parsePath<S extends TSchema>(schema: S, input: unknown, what: string): Static<S> {
  return check(schema, input, what);
}

/**
 * Like {@link parse}, for query-string parameters: they arrive as text, so a parameter the schema makes a
 * number is converted when it is written as a plain decimal integer ({@link wholeNumber}) and refused
 * otherwise.
 *
 * @example
 * const { limit } = parseQuery(AlbumListQuery, event.queryStringParameters ?? {});
 */
export function parseQuery<S extends TSchema>(
  schema: S,
  input: Record<string, string | undefined>,
): Static<S> {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const converted = Object.fromEntries(
    Object.entries(input)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => {
        const type = properties[key]?.type;
        const number = type === 'integer' || type === 'number' ? wholeNumber(value) : undefined;
        return [key, number ?? value];
      }),
  );
  return check(schema, trimStrings(converted), 'query');
}

/**
 * The value of `text` if it is a decimal integer written plainly (`-12`, `0`, `1977`), else undefined: no
 * sign `+`, leading zeros, spaces, fractions, exponents, hex or words, so nothing is read as a number
 * that a person would not read as that number.
 *
 * @example
 * wholeNumber('20'); // 20
 * wholeNumber('0x10'); // undefined
 */
export function wholeNumber(text: string): number | undefined {
  return /^(0|-?[1-9][0-9]*)$/.test(text) ? Number(text) : undefined;
}

function check<S extends TSchema>(schema: S, candidate: unknown, what: string): Static<S> {
  const textErrors = describeTextErrors(candidate);
  if (textErrors.length === 0 && Check(schema, candidate)) return candidate as Static<S>;
  const described = new Map<string, FieldError>();
  // The first problem per field is the useful one: "must be an integer" beats "must be <= 2027" after it,
  // and text PostgreSQL cannot store is named whatever else is wrong with it.
  for (const fieldError of [...textErrors, ...describeErrors(schema, candidate)]) {
    if (!described.has(fieldError.field)) described.set(fieldError.field, fieldError);
  }
  const errors = [...described.values()];
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

/**
 * Every string in the input that PostgreSQL's `text` cannot hold as sent: it refuses NUL, and an unpaired
 * surrogate has no UTF-8 form (it would be stored as U+FFFD). Checked here, once, for every input rather
 * than per schema. Walked without recursion so a deeply nested body cannot exhaust the stack.
 */
function describeTextErrors(input: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const pending: Array<[string, unknown]> = [['', input]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [path, value] = next;
    if (typeof value === 'string') {
      const field = path || 'body';
      if (value.includes('\u0000')) errors.push({ field, message: 'must not contain NUL characters' });
      else if (/\p{Cs}/u.test(value)) errors.push({ field, message: 'must be well-formed Unicode text' });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) pending.push([path ? `${path}.${key}` : key, child]);
    }
  }
  return errors.reverse();
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function describeErrors(schema: TSchema, value: unknown): FieldError[] {
  return [...(Errors(schema, value) as Iterable<SchemaError>)].flatMap((error) => describe(schema, error));
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
    case 'const':
    case 'anyOf': {
      const choices = literalChoices(field === 'body' ? (schema as Record<string, unknown>) : property);
      return [{ field, message: choices ? `must be one of ${choices.join(', ')}` : error.message }];
    }
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

/** The allowed values of a union of literals (`like`, `dislike`), for a message that names them. */
function literalChoices(schema: Record<string, unknown> | undefined): string[] | undefined {
  const branches = schema?.anyOf;
  if (!Array.isArray(branches) || !branches.every((branch) => 'const' in branch)) return undefined;
  return branches.map((branch) => String(branch.const));
}

function article(type: unknown): string {
  const name = String(type);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
