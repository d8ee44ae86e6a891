import type { Static, TSchema } from 'typebox';

/**
 * Checks values against the JSON Schema that TypeBox's builders make, for the keywords the schemas we
 * validate use and no others: TypeBox's own checker would add to every function bundle
 * (see docs/performance.md#what-the-bundles-leave-out). It
 * agrees with TypeBox's `Check` (test/unit/schema-check.test.ts holds it to that). A schema using anything
 * else is refused with an error the first time it is used, so no keyword is ever silently ignored.
 */

/** The subset of JSON Schema understood here. */
export interface JsonSchema {
  type?: TypeName;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: false;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: Format;
  minimum?: number;
  maximum?: number;
  const?: string | number | boolean | null;
  anyOf?: JsonSchema[];
}

/** One keyword a value fails. */
export interface SchemaError {
  /** The property names leading from the checked value to the offending one; empty for the value itself. */
  path: string[];
  keyword: Keyword;
  /** The schema holding the keyword: its setting says what was expected. */
  schema: JsonSchema;
}

type Keyword = Exclude<keyof JsonSchema, 'properties'>;
type Check = (value: unknown, path: string[], errors: SchemaError[]) => void;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const types = {
  object: isObject,
  array: Array.isArray,
  string: (value: unknown) => typeof value === 'string',
  // As TypeBox: 1.0 is an integer; NaN and the infinities are not numbers.
  integer: Number.isInteger,
  number: Number.isFinite,
  boolean: (value: unknown) => typeof value === 'boolean',
  null: (value: unknown) => value === null,
};
type TypeName = keyof typeof types;

const formats = {
  // Any version and variant, in either case, as TypeBox matches it.
  uuid: /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
};
type Format = keyof typeof formats;

const anySetting = () => true;

/** Each keyword understood, with the settings of it that are; annotations constrain nothing. */
const understood = new Map<string, (setting: unknown) => boolean>([
  ['$id', anySetting],
  ['description', anySetting],
  ['examples', anySetting],
  ['type', (setting) => typeof setting === 'string' && Object.hasOwn(types, setting)],
  ['properties', isObject],
  ['required', Array.isArray],
  ['additionalProperties', (setting) => setting === false],
  ['minLength', Number.isInteger],
  ['maxLength', Number.isInteger],
  ['pattern', (setting) => typeof setting === 'string'],
  ['format', (setting) => typeof setting === 'string' && Object.hasOwn(formats, setting)],
  ['minimum', Number.isFinite],
  ['maximum', Number.isFinite],
  ['const', (setting) => setting === null || ['string', 'number', 'boolean'].includes(typeof setting)],
  ['anyOf', (setting) => Array.isArray(setting) && setting.length > 0],
]);

const compiled = new WeakMap<object, Check>();

/**
 * Every keyword of `schema` that `value` fails, in TypeBox's order: for each schema its type, then (for
 * an object) its missing properties, its unknown ones and each property in the schema's order, then its
 * other keywords. A union that no branch matches is one error: `anyOf`, or `type` (of its first branch)
 * when no branch takes a value of that type. None when `value` conforms.
 *
 * @example
 * schemaErrors(NewReview, { kind: 'love' }); // [{ path: ['kind'], keyword: 'anyOf', schema: … }]
 */
export function schemaErrors(schema: TSchema, value: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  compile(schema)(value, [], errors);
  return errors;
}

/**
 * Whether `value` conforms to `schema`.
 *
 * @example
 * if (conforms(AlbumId, text)) return { albumId: text };
 */
export function conforms<S extends TSchema>(schema: S, value: unknown): value is Static<S> {
  return schemaErrors(schema, value).length === 0;
}

/** The check of `schema`, built once: the whole schema is vetted then, whatever values it later meets. */
function compile(schema: TSchema): Check {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = build(vetted(schema));
    compiled.set(schema, check);
  }
  return check;
}

function vetted(schema: unknown): JsonSchema {
  if (!isObject(schema)) throw new Error(`Schema ${JSON.stringify(schema)} is not checked: not an object`);
  for (const [keyword, setting] of Object.entries(schema)) {
    if (!understood.get(keyword)?.(setting)) {
      throw new Error(
        `Schema ${JSON.stringify(schema)} is not checked: ${keyword} ${JSON.stringify(setting)} is not understood`,
      );
    }
  }
  return schema as JsonSchema;
}

function build(schema: JsonSchema): Check {
  const {
    type,
    required = [],
    additionalProperties,
    minLength,
    maxLength,
    format,
    minimum,
    maximum,
  } = schema;
  const properties = Object.entries(schema.properties ?? {}).map(
    ([name, property]) => [name, compile(property), required.includes(name)] as const,
  );
  const known = new Set(Object.keys(schema.properties ?? {}));
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');
  const union = schema.anyOf?.map((branch) => ({ branch, check: compile(branch) }));
  return (value, path, errors) => {
    const fail = (keyword: Keyword, at = path) => errors.push({ path: at, keyword, schema });
    if (type !== undefined && !types[type](value)) fail('type');
    if (isObject(value)) {
      for (const name of required) if (!Object.hasOwn(value, name)) fail('required', [...path, name]);
      if (additionalProperties === false) {
        for (const name of Object.getOwnPropertyNames(value))
          if (!known.has(name)) fail('additionalProperties', [...path, name]);
      }
      for (const [name, check, isRequired] of properties) {
        // As in TypeScript, an optional property may be present and undefined; a required one must be defined.
        if (Object.hasOwn(value, name) && (isRequired || value[name] !== undefined))
          check(value[name], [...path, name], errors);
      }
    }
    if (typeof value === 'string') {
      if (minLength !== undefined && !hasAtLeast(value, minLength)) fail('minLength');
      if (maxLength !== undefined && !hasAtMost(value, maxLength)) fail('maxLength');
      if (format !== undefined && !formats[format].test(value)) fail('format');
      if (pattern !== undefined && !pattern.test(value)) fail('pattern');
    }
    if (typeof value === 'number' && Number.isFinite(value)) {
      if (minimum !== undefined && value < minimum) fail('minimum');
      if (maximum !== undefined && value > maximum) fail('maximum');
    }
    if ('const' in schema && value !== schema.const) fail('const');
    if (union?.every(({ check }) => !passes(check, value))) {
      // A value of a type no branch takes is named by the first branch's type, as TypeBox names it: a `kind`
      // of 5 must be a string before it can be `like` or `dislike`.
      if (union.some(({ branch }) => branch.type === undefined || types[branch.type](value))) fail('anyOf');
      else errors.push({ path, keyword: 'type', schema: union[0]?.branch as JsonSchema });
    }
  };
}

function passes(check: Check, value: unknown): boolean {
  const errors: SchemaError[] = [];
  check(value, [], errors);
  return errors.length === 0;
}

// Lengths are counted in code points, as JSON Schema and TypeBox count them: an emoji is one character, and
// so is an unpaired surrogate. A code point is one or two UTF-16 units, so `length` settles most texts
// without counting, however long they are.

function hasAtLeast(text: string, limit: number): boolean {
  return text.length >= 2 * limit || (text.length >= limit && codePoints(text) >= limit);
}

function hasAtMost(text: string, limit: number): boolean {
  return text.length <= limit || (text.length <= 2 * limit && codePoints(text) <= limit);
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
