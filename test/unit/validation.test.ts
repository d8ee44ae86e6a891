import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import { AlbumListQuery, AlbumPath, MAX_YEAR, NewAlbum, NewReview } from '../../lib/schemas.js';
import { parse, parsePath, parseQuery, wholeNumber } from '../../lib/validation.js';

const errorsOf = (schema: Parameters<typeof parse>[0], input: unknown) => {
  try {
    parse(schema, input, 'input');
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('parse', () => {
  it('trims text', () => {
    expect(parse(NewAlbum, { artist: ' Can ', title: 'Tago Mago\n', year: 1971 }, 'album')).toEqual({
      artist: 'Can',
      title: 'Tago Mago',
      year: 1971,
    });
  });

  it('coerces nothing in a JSON body', () => {
    expect(errorsOf(NewAlbum, { artist: 42, title: 'T', year: '1971' })).toEqual([
      { field: 'artist', message: 'must be a string' },
      { field: 'year', message: 'must be an integer' },
    ]);
  });

  it('names every offending field once, with its first problem', () => {
    const byField = (a: { field: string }, b: { field: string }) => a.field.localeCompare(b.field);
    expect(errorsOf(NewAlbum, { artist: '', year: 'soon', extra: 1 }).sort(byField)).toEqual([
      { field: 'artist', message: 'must not be empty' },
      { field: 'extra', message: 'is not an allowed field' },
      { field: 'title', message: 'is required' },
      { field: 'year', message: 'must be an integer' },
    ]);
  });

  it('names at most ten problems in its message, counting the rest', () => {
    const body = {
      artist: 'A',
      title: 'T',
      year: 1971,
      ...Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`unknown${i}`, i])),
    };
    let message = '';
    try {
      parse(NewAlbum, body, 'album');
    } catch (error) {
      message = (error as ValidationError).message;
    }
    expect(message.split('; ')).toHaveLength(11);
    expect(message).toMatch(/^Invalid album: unknown\d+ is not an allowed field; /);
    expect(message).toMatch(/; and 80 more problems$/);
    expect(message.length).toBeLessThan(1_000);
  });

  it('refuses a body of more than a hundred fields as a whole, in a reply of one error', () => {
    const body = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`unknown${i}`, i]));
    expect(errorsOf(NewAlbum, body)).toEqual([{ field: 'body', message: 'must have at most 100 fields' }]);
    expect(() => parse(NewAlbum, body, 'album')).toThrow(
      'Invalid album: body has 100000 fields, more than the 100 read',
    );
  });

  it('names a field by its first hundred characters', () => {
    const key = 'k'.repeat(1_000_000);
    const [error] = errorsOf(NewAlbum, { artist: 'A', title: 'T', year: 1971, [key]: 1 });
    expect(error).toEqual({ field: `${'k'.repeat(100)}…`, message: 'is not an allowed field' });
  });

  it('states the allowed range of a number', () => {
    expect(errorsOf(NewAlbum, { artist: 'A', title: 'T', year: MAX_YEAR + 1 })).toEqual([
      { field: 'year', message: `must be between 1000 and ${MAX_YEAR}` },
    ]);
  });

  it('converts query-string numbers and rejects ones out of range', () => {
    expect(parseQuery(AlbumListQuery, { limit: '5', artist: undefined })).toEqual({ limit: 5 });
    expect(() => parseQuery(AlbumListQuery, { limit: '500' })).toThrow(ValidationError);
    expect(errorsOf(AlbumListQuery, { limit: 500 })).toEqual([
      { field: 'limit', message: 'must be between 1 and 100' },
    ]);
  });

  it('names the allowed values of a choice', () => {
    expect(errorsOf(NewReview, { kind: 'love' })).toEqual([
      { field: 'kind', message: 'must be one of like, dislike' },
    ]);
  });

  it('calls a non-object body what it is', () => {
    expect(errorsOf(NewAlbum, 'album')).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });

  it('refuses text PostgreSQL cannot store, naming the field, whatever else is wrong', () => {
    expect(errorsOf(NewAlbum, { artist: 'Can\u0000', title: 'T', year: 1971 })).toEqual([
      { field: 'artist', message: 'must not contain NUL characters' },
    ]);
    expect(errorsOf(NewAlbum, { artist: 'x'.repeat(300), title: '\u0000', year: 'soon' })).toEqual([
      { field: 'title', message: 'must not contain NUL characters' },
      { field: 'artist', message: 'must be at most 200 characters' },
      { field: 'year', message: 'must be an integer' },
    ]);
    expect(errorsOf(NewAlbum, { artist: 'A\ud800', title: 'T\udc00x', year: 1971 })).toEqual([
      { field: 'artist', message: 'must be well-formed Unicode text' },
      { field: 'title', message: 'must be well-formed Unicode text' },
    ]);
    expect(parse(NewAlbum, { artist: 'Björk 🎵', title: 'Début', year: 1993 }, 'album').artist).toBe(
      'Björk 🎵',
    );
  });

  it('refuses U+FFFD, which stands for bytes a lenient decoder found were not UTF-8', () => {
    expect(errorsOf(NewAlbum, { artist: 'Bj\ufffdrk', title: 'T', year: 1971 })).toEqual([
      { field: 'artist', message: 'must be valid UTF-8 (U+FFFD stands for bytes that were not)' },
    ]);
  });

  it('refuses NUL in a field the schema does not know, and anywhere in a nested value', () => {
    expect(errorsOf(NewAlbum, { artist: 'A', title: 'T', year: 1971, note: '\u0000' })).toEqual([
      { field: 'note', message: 'must not contain NUL characters' },
    ]);
    expect(errorsOf(NewAlbum, { artist: 'A', title: 'T', year: 1971, tags: [{ name: 'x\u0000' }] })).toEqual([
      { field: 'tags.0.name', message: 'must not contain NUL characters' },
      { field: 'tags', message: 'is not an allowed field' },
    ]);
  });

  it('walks a deeply nested body without exhausting the stack', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(errorsOf(NewAlbum, { artist: 'A', title: 'T', year: 1971, deep })[0]).toEqual({
      field: `${`deep${'.0'.repeat(100_000)}`.slice(0, 100)}…`,
      message: 'must not contain NUL characters',
    });
  });
});

describe('parseQuery', () => {
  it('takes plain decimal integers and trims text', () => {
    expect(parseQuery(AlbumListQuery, { limit: '100', artist: ' Can ' })).toEqual({
      limit: 100,
      artist: 'Can',
    });
  });

  it.each(['1.5', '1.0', '0x10', '1e1', 'true', ' 5', '5 ', '\t5', '+5', '05', '', '5,6', 'Infinity', '٥'])(
    'refuses the limit %j: not a plain decimal integer',
    (limit) => {
      expect(() => parseQuery(AlbumListQuery, { limit })).toThrow(ValidationError);
      try {
        parseQuery(AlbumListQuery, { limit });
      } catch (error) {
        expect((error as ValidationError).errors).toEqual([
          { field: 'limit', message: 'must be an integer' },
        ]);
      }
    },
  );

  it('refuses NUL in any parameter', () => {
    for (const input of [{ artist: 'Can\u0000' }, { cursor: '\u0000' }]) {
      expect(() => parseQuery(AlbumListQuery, input)).toThrow(/must not contain NUL characters/);
    }
  });
});

describe('parsePath', () => {
  const id = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';

  it('takes an id exactly as sent', () => {
    expect(parsePath(AlbumPath, { albumId: id }, 'album id')).toEqual({ albumId: id });
  });

  it.each([`${id}\n`, ` ${id}`, `${id} `, `${id}\u0000`, `${id}\t`])(
    'does not trim %j into a valid id',
    (albumId) => {
      expect(() => parsePath(AlbumPath, { albumId }, 'album id')).toThrow(ValidationError);
    },
  );
});

describe('wholeNumber', () => {
  it('reads plain decimal integers only', () => {
    expect(['0', '-12', '1977', '100'].map(wholeNumber)).toEqual([0, -12, 1977, 100]);
    expect(['-0', '00', '1.5', '0x1', '1e3', ' 1', 'NaN', ''].map(wholeNumber)).toEqual(
      Array(8).fill(undefined),
    );
  });
});
