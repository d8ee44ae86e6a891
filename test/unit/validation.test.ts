import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import { AlbumListQuery, MAX_YEAR, NewAlbum } from '../../lib/schemas.js';
import { parse, parseQuery } from '../../lib/validation.js';

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

  it('calls a non-object body what it is', () => {
    expect(errorsOf(NewAlbum, 'album')).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });
});
