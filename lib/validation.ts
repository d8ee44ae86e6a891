import type { Static, TSchema } from 'typebox';
import { type FieldError, MAX_LISTED_ERRORS, ValidationError } from './errors.js';
import { type JsonSchema, type SchemaError, schemaErrors } from './schema-check.js';

/**
 * Checks `input` against `schema` and returns it typed, or throws a {@link ValidationError} naming every
 * offending field. Top-level strings are trimmed first; nothing else is coerced.
 *
 * @example
 * const album = parse(NewAlbum, body, 'album');
 */
export function parse<S extends TSchema>(schema: S, input: unknown, what: string): Static<S> {
  refuseCrowded(input, what);
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

/**
 * Every problem `schema` finds with `value`, described as {@link parse} describes them, first found first;
 * none when it conforms. For values that are not requests: no text is trimmed or refused before.
 *
 * @example
 * schemaProblems(ReviewMessage, { kind: 'meh' })[0]; // { field: 'reviewId', message: 'is required' }
 */
export function schemaProblems(schema: TSchema, value: unknown): FieldError[] {
  return schemaErrors(schema, value).map(describe);
}

const MAX_FIELD_NAME_LENGTH = 100;
/** No request shape has a tenth as many fields; a body with more is refused before each is looked at. */
const MAX_FIELDS = 100;

/**
 * Refuses an object with more than {@link MAX_FIELDS} fields as a whole: describing each of 700,000 unknown
 * keys would take several times as long as reading them, to tell the client what one sentence does.
 */
function refuseCrowded(input: unknown, what: string): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const count = Object.keys(input).length;
  if (count <= MAX_FIELDS) return;
  throw new ValidationError(`Invalid ${what}: body has ${count} fields, more than the ${MAX_FIELDS} read`, [
    { field: 'body', message: `must have at most ${MAX_FIELDS} fields` },
  ]);
}

function check<S extends TSchema>(schema: S, candidate: unknown, what: string): Static<S> {
  const problems = [...describeTextErrors(candidate), ...schemaProblems(schema, candidate)];
  if (problems.length === 0) return candidate as Static<S>;
  const described = new Map<string, FieldError>();
  // The first problem per field is the useful one: "must be an integer" beats "must be <= 2027" after it,
  // and text PostgreSQL cannot store is named whatever else is wrong with it.
  for (const fieldError of problems) {
    if (!described.has(fieldError.field)) described.set(fieldError.field, fieldError);
  }
  const errors = [...described.values()];
  const named = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `${e.field} ${e.message}`);
  const more = errors.length - named.length;
  throw new ValidationError(
    `Invalid ${what}: ${named.join('; ')}${more > 0 ? `; and ${more} more ${more === 1 ? 'problem' : 'problems'}` : ''}`,
    errors,
  );
}

/**
 * A field's name as a reply shows it: a key sent in a body can be megabytes long, and a reply names it
 * only to point at it.
 */
function fieldName(path: string): string {
  return path.length > MAX_FIELD_NAME_LENGTH ? `${path.slice(0, MAX_FIELD_NAME_LENGTH)}…` : path;
}

function trimStrings(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]),
  );
}

/**
 * Every string in the input that PostgreSQL's `text` cannot hold as sent: it refuses NUL, and an unpaired
 * surrogate has no UTF-8 form (it would be stored as U+FFFD). U+FFFD itself is refused too: it is what a
 * gateway or parser that decodes leniently puts in place of bytes that were not UTF-8 (serverless-offline
 * does so with a JSON body, busboy with a form field), so text holding one was damaged before it got here.
 * Checked here, once, for every input rather than per schema. Walked without recursion so a deeply nested
 * body cannot exhaust the stack.
 */
function describeTextErrors(input: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const pending: Array<[string, unknown]> = [['', input]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [path, value] = next;
    if (typeof value === 'string') {
      const field = fieldName(path || 'body');
      if (value.includes('\u0000')) errors.push({ field, message: 'must not contain NUL characters' });
      else if (/\p{Cs}/u.test(value)) errors.push({ field, message: 'must be well-formed Unicode text' });
      else if (value.includes('\ufffd')) {
        errors.push({ field, message: 'must be valid UTF-8 (U+FFFD stands for bytes that were not)' });
      }
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) pending.push([path ? `${path}.${key}` : key, child]);
    }
  }
  return errors.reverse();
}

function describe({ path, keyword, schema }: SchemaError): FieldError {
  const field = path.length === 0 ? 'body' : fieldName(path.join('.'));
  return { field, message: problem(keyword, schema, field) };
}

function problem(keyword: SchemaError['keyword'], schema: JsonSchema, field: string): string {
  switch (keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not an allowed field';
    case 'minLength':
      return schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`;
    case 'maxLength':
      return `must be at most ${schema.maxLength} characters`;
    case 'minimum':
    case 'maximum':
      return `must be between ${schema.minimum} and ${schema.maximum}`;
    case 'type':
      return field === 'body' ? 'must be a JSON object' : `must be ${article(schema.type)}`;
    case 'pattern':
      return `must match pattern "${schema.pattern}"`;
    case 'format':
      return `must be a valid ${schema.format === 'uuid' ? 'UUID' : schema.format}`;
    case 'const':
      return `must be ${schema.const}`;
    case 'anyOf': {
      const choices = literalChoices(schema);
      return choices ? `must be one of ${choices.join(', ')}` : 'must match one of its allowed forms';
    }
  }
}

/** The allowed values of a union of literals (`like`, `dislike`), for a message that names them. */
function literalChoices(schema: JsonSchema): string[] | undefined {
  const branches = schema.anyOf ?? [];
  if (!branches.every((branch) => 'const' in branch)) return undefined;
  return branches.map((branch) => String(branch.const));
}

function article(type: unknown): string {
  const name = String(type);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
