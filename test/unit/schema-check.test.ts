import fc from 'fast-check';
import type { TSchema } from 'typebox';
import * as Type from 'typebox';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { CourseProfile, CourseReviewPath } from '../../lib/course/contract.js';
import { conforms, type JsonSchema, schemaErrors } from '../../lib/schema-check.js';
import {
  AlbumChangeHeaders,
  AlbumChanges,
  AlbumId,
  AlbumListQuery,
  AlbumPath,
  NewAlbum,
  NewReview,
  ReviewMessage,
  VoteMessage,
} from '../../lib/schemas.js';
import { FUZZ_SEED, replayLine } from '../support/fuzz-seed.js';

const RUNS = 3_000;
/** TypeBox's `Errors` stops at this many; beyond it, it names fewer fields than there are wrong. */
const TYPEBOX_MAX_ERRORS = 8;

/** Every schema a value is checked against at runtime (lib/validation.ts, lib/reviews, lib/course). */
const checkedSchemas: Record<string, TSchema> = {
  AlbumId,
  AlbumPath,
  NewAlbum,
  AlbumListQuery,
  NewReview,
  AlbumChanges,
  AlbumChangeHeaders,
  ReviewMessage,
  VoteMessage,
  CourseProfile,
  LikeOrNotPath: Type.Pick(CourseReviewPath, ['likeornot']),
};

const fieldsOf = (errors: ReturnType<typeof schemaErrors>) => errors.map((error) => error.path.join('.'));

describe('schemaErrors', () => {
  it('checks each type as TypeBox does: 1.0 is an integer, NaN and the infinities are no numbers', () => {
    const cases: Array<[TSchema, unknown[], unknown[]]> = [
      [Type.Object({}), [{}, { a: 1 }], [[], null, 'x']],
      [Type.String(), ['', 'x'], [1, null, ['x']]],
      [Type.Integer(), [1, 1.0, -0, 1e21], [1.5, Number.NaN, Number.POSITIVE_INFINITY, '1']],
      [Type.Number(), [1.5, -0], [Number.NaN, Number.NEGATIVE_INFINITY, '1.5']],
      [Type.Boolean(), [true, false], [0, 'true']],
      [Type.Null(), [null], [undefined, 0, '']],
      [{ type: 'array' }, [[], [1]], [{}, 'x']],
    ];
    for (const [schema, good, bad] of cases) {
      expect(good.map((value) => conforms(schema, value))).toEqual(good.map(() => true));
      expect(bad.map((value) => schemaErrors(schema, value))).toEqual(
        bad.map(() => [{ path: [], keyword: 'type', schema }]),
      );
    }
  });

  it('names each missing property, an optional one may be undefined, a required one not', () => {
    const schema = Type.Object({ a: Type.String(), b: Type.Optional(Type.String()), c: Type.String() });
    expect(conforms(schema, { a: 'x', b: undefined, c: 'y' })).toBe(true);
    expect(fieldsOf(schemaErrors(schema, {}))).toEqual(['a', 'c']);
    expect(schemaErrors(schema, { a: undefined, c: 'y' })).toEqual([
      { path: ['a'], keyword: 'type', schema: schema.properties.a },
    ]);
    expect(conforms(schema, Object.create({ a: 'x', c: 'y' }))).toBe(false);
  });

  it('names each property it does not allow, in the order they came', () => {
    const schema = Type.Object({ a: Type.String() }, { additionalProperties: false });
    expect(schemaErrors(schema, JSON.parse('{"z":1,"a":"x","__proto__":2,"constructor":3}'))).toEqual(
      ['z', '__proto__', 'constructor'].map((name) => ({
        path: [name],
        keyword: 'additionalProperties',
        schema,
      })),
    );
    expect(conforms(Type.Object({ a: Type.String() }), { a: 'x', z: 1 })).toBe(true);
  });

  it('counts lengths in code points: an emoji is one character, an unpaired surrogate one too', () => {
    const schema = Type.String({ minLength: 2, maxLength: 3 });
    expect(['🎵🎵', '🎵🎵🎵', 'a\ud800', '\udc00\ud800\udc00'].map((text) => conforms(schema, text))).toEqual(
      [true, true, true, true],
    );
    expect(fieldsOf(schemaErrors(schema, '🎵'))).toEqual(['']);
    expect(schemaErrors(schema, '🎵').map((error) => error.keyword)).toEqual(['minLength']);
    expect(schemaErrors(schema, '🎵🎵🎵🎵').map((error) => error.keyword)).toEqual(['maxLength']);
    expect(conforms(Type.String({ maxLength: 200 }), '🎵'.repeat(200))).toBe(true);
    expect(conforms(Type.String({ maxLength: 200 }), `${'🎵'.repeat(200)}x`)).toBe(false);
    expect(conforms(Type.String({ maxLength: 200 }), 'x'.repeat(2_000_000))).toBe(false);
  });

  it('matches a pattern as Unicode, and a UUID of any version in either case, whole', () => {
    const key = Type.String({ pattern: '^[!-~]+$' });
    expect(['a', '~!'].map((text) => conforms(key, text))).toEqual([true, true]);
    expect(schemaErrors(key, 'ä')).toEqual([{ path: [], keyword: 'pattern', schema: key }]);
    const id = '6F1C2D3E-4A5B-0C6D-FE7F-8091A2B3C4D5';
    expect(
      [id, id.toLowerCase(), '00000000-0000-0000-0000-000000000000'].every((t) => conforms(AlbumId, t)),
    ).toBe(true);
    for (const text of [`${id}\n`, ` ${id}`, `{${id}}`, id.replaceAll('-', ''), id.replace('F', 'G')]) {
      expect(schemaErrors(AlbumId, text)).toEqual([{ path: [], keyword: 'format', schema: AlbumId }]);
    }
  });

  it('bounds numbers inclusively, and only numbers', () => {
    const schema = Type.Integer({ minimum: 1, maximum: 100 });
    expect([1, 100].map((n) => conforms(schema, n))).toEqual([true, true]);
    expect(schemaErrors(schema, 0).map((error) => error.keyword)).toEqual(['minimum']);
    expect(schemaErrors(schema, 100.5).map((error) => error.keyword)).toEqual(['type', 'maximum']);
    expect(schemaErrors(schema, '500').map((error) => error.keyword)).toEqual(['type']);
    expect(schemaErrors(schema, Number.POSITIVE_INFINITY).map((error) => error.keyword)).toEqual(['type']);
  });

  it('reports a union that no branch matches once: anyOf, or the first branch type if none takes the value type', () => {
    const kind = NewReview.properties.kind;
    expect(['like', 'dislike'].map((text) => conforms(kind, text))).toEqual([true, true]);
    expect(schemaErrors(NewReview, { kind: 'Like' })).toEqual([
      { path: ['kind'], keyword: 'anyOf', schema: kind },
    ]);
    expect(schemaErrors(NewReview, { kind: 5 })).toEqual([
      { path: ['kind'], keyword: 'type', schema: kind.anyOf[0] },
    ]);
    expect(schemaErrors(Type.Literal('POST'), 'post')).toEqual([
      { path: [], keyword: 'const', schema: Type.Literal('POST') },
    ]);
    expect(conforms(Type.Union([Type.Integer(), Type.Null()]), null)).toBe(true);
  });

  it('reports in TypeBox order: type, missing, unknown, then each property in the schema order', () => {
    expect(fieldsOf(schemaErrors(NewAlbum, { year: 1e6, extra: 1, artist: '' }))).toEqual([
      'title',
      'extra',
      'artist',
      'year',
    ]);
  });

  it('refuses, at first use, a schema with a keyword it does not check, wherever the keyword is', () => {
    const unchecked: TSchema[] = [
      Type.Object({ tags: Type.Array(Type.String()) }),
      Type.Object({ at: Type.String({ format: 'date-time' }) }),
      Type.Record(Type.String(), Type.String()),
      Type.Object({ a: Type.String() }, { additionalProperties: Type.String() }),
      Type.Union([Type.Literal('a'), { type: 'integer', multipleOf: 2 }]),
      { type: ['string', 'null'] },
      { const: { a: 1 } },
      { type: 'object', properties: { nested: true } },
    ];
    for (const schema of unchecked) {
      expect(() => conforms(schema, 'not an object'), JSON.stringify(schema)).toThrow(/is not checked/);
    }
  });
});

// Generators of values near a schema: built from its properties with values that are right, nearly right
// or anything at all, so each keyword is met on both sides of its line.

/**
 * The pieces text is made of: ASCII, a letter of two UTF-8 bytes, a combining accent (a code point but no
 * character of its own), an emoji (two UTF-16 units), unpaired surrogates, spaces, NUL.
 */
const piece = fc.constantFrom('x', '~', '-', 'ä', '\u0301', '🎵', '\ud800', '\udc00', ' ', '\n', '\u0000');
const textOf = (minLength: number, maxLength: number) => fc.string({ unit: piece, minLength, maxLength });
const anything = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
);

function near(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 1, arbitrary: anything }, { weight: 5, arbitrary: shapedLike(schema) });
}

function shapedLike(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(near));
  if (schema.const !== undefined) {
    const literal = String(schema.const);
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(schema.const) },
      fc.constantFrom(literal.toUpperCase(), ` ${literal}`, literal.slice(1), `${literal}\n`),
    );
  }
  switch (schema.type) {
    case 'object':
      return objectNear(schema);
    case 'string':
      return stringNear(schema);
    case 'integer':
    case 'number':
      return numberNear(schema);
    case 'null':
      return fc.constantFrom(null, 'null', 0, '', false);
    default:
      throw new Error(`No values are generated for ${JSON.stringify(schema)}`);
  }
}

function objectNear({ properties = {} }: JsonSchema): fc.Arbitrary<unknown> {
  const own = Object.entries(properties).map(([name, property]) =>
    fc.option(
      near(property).map((value) => [name, value] as const),
      { freq: 6, nil: undefined },
    ),
  );
  const names = Object.keys(properties);
  const otherName = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', ...names.map((name) => name.toUpperCase())),
  );
  const others = fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(otherName, fc.jsonValue()), { minLength: 1, maxLength: 3 }) },
  );
  return fc
    .tuple(fc.tuple(...own), others)
    .map(([entries, extra]) =>
      Object.fromEntries([...entries.filter((entry) => entry !== undefined), ...extra]),
    );
}

function stringNear({ maxLength = 40, format, pattern }: JsonSchema): fc.Arbitrary<unknown> {
  const texts: fc.WeightedArbitrary<string>[] = [
    { weight: 2, arbitrary: textOf(0, 4) },
    // Across the limit whether counted in code points or in UTF-16 units.
    { weight: 1, arbitrary: textOf(Math.max(0, maxLength - 2), 2 * maxLength + 2) },
  ];
  if (format === 'uuid') {
    const inserted = fc
      .tuple(fc.uuid(), textOf(1, 2), fc.nat(36))
      .map(([id, text, at]) => id.slice(0, at) + text + id.slice(at));
    texts.push(
      { weight: 6, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
      { weight: 1, arbitrary: inserted },
      { weight: 1, arbitrary: fc.uuid().map((id) => id.replaceAll('-', '')) },
    );
  }
  if (pattern) {
    const matching = fc.stringMatching(new RegExp(pattern, 'u'), { maxLength: maxLength + 2 });
    texts.push({ weight: 2, arbitrary: matching });
  }
  return fc.oneof(...texts);
}

function numberNear({ minimum = -1e6, maximum = 1e6 }: JsonSchema): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: minimum - 2, max: maximum + 2 }) },
    fc.constantFrom(minimum - 1, minimum, maximum, maximum + 1, minimum + 0.5, maximum - 0.5, 1e21),
    fc.double(),
    fc.integer({ min: minimum - 2, max: maximum + 2 }).map(String),
  );
}

/** The fields TypeBox's errors name, each once, in order; undefined once it stops short at its limit. */
function typeboxFields(schema: TSchema, value: unknown): string[] | undefined {
  const errors = Value.Errors(schema, value);
  if (errors.length >= TYPEBOX_MAX_ERRORS) return undefined;
  const fields = errors.flatMap(({ keyword, instancePath, params }) => {
    const at = instancePath.split('/').slice(1);
    const named = (names: string[]) => names.map((name) => [...at, name].join('.'));
    if (keyword === 'required') return named((params as { requiredProperties: string[] }).requiredProperties);
    if (keyword === 'additionalProperties')
      return named((params as { additionalProperties: string[] }).additionalProperties);
    // Each unknown property fails the schema `false` before the additionalProperties error names them all.
    if (keyword === 'boolean') return [];
    return [at.join('.')];
  });
  return [...new Set(fields)];
}

function holds(property: fc.IProperty<[unknown]>): void {
  try {
    fc.assert(property, { seed: FUZZ_SEED, numRuns: RUNS });
  } catch (error) {
    throw new Error(`${replayLine('test/unit/schema-check.test.ts')}\n${(error as Error).message}`);
  }
}

describe.each(Object.entries(checkedSchemas))(`%s, as TypeBox checks it (seed ${FUZZ_SEED})`, (_, schema) => {
  const values = near(schema as JsonSchema);

  it('conforms exactly when TypeBox says so', () => {
    holds(fc.property(values, (value) => conforms(schema, value) === Value.Check(schema, value)));
  });

  it('names the same fields in the same order', () => {
    holds(
      fc.property(values, (value) => {
        const expected = typeboxFields(schema, value);
        if (expected) expect([...new Set(fieldsOf(schemaErrors(schema, value)))]).toEqual(expected);
      }),
    );
  });
});
