import { describe, expect, it } from 'vitest';
import { MAX_COURSE_YEAR_LENGTH, parseProfile, toNewAlbum } from '../../../lib/course/contract.js';
import { ValidationError } from '../../../lib/errors.js';
import { MAX_YEAR } from '../../../lib/schemas.js';

const javaProfile = (artist: string, title: string, year: string, newline = '\n') =>
  `class AlbumsProfile {${newline}    artist: ${artist}${newline}    title: ${title}${newline}    year: ${year}${newline}}`;

function errorsOf(text: string) {
  try {
    parseProfile(text);
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const pistols = { artist: 'Sex Pistols', title: 'Never Mind The Bollocks!', year: '1977' };

describe('parseProfile', () => {
  it.each([
    ['JSON with a string year', '{"artist":"Sex Pistols","title":"Never Mind The Bollocks!","year":"1977"}'],
    [
      'JSON with a number year',
      ' {"artist":" Sex Pistols ","title":"Never Mind The Bollocks!","year":1977}\n',
    ],
    ['the Java client text', javaProfile('Sex Pistols', 'Never Mind The Bollocks!', '1977')],
    [
      'the Java client text with CRLF',
      javaProfile('Sex Pistols', 'Never Mind The Bollocks!', '1977', '\r\n'),
    ],
  ])('reads %s', (_, text) => {
    expect(parseProfile(text)).toEqual(pistols);
  });

  it.each([
    'bye',
    '1977.0',
    '0x7b9',
    '1e3',
    '+1977',
    '01977',
    'true',
    '19 77',
    ' 1977',
    'null',
    '🎵',
    'y'.repeat(64),
  ])('keeps the year %j exactly as sent, in either form', (year) => {
    expect(parseProfile(JSON.stringify({ artist: 'A', title: 'T', year })).year).toBe(year);
    expect(parseProfile(javaProfile('A', 'T', year)).year).toBe(year);
    expect(parseProfile(javaProfile('A', 'T', year, '\r\n')).year).toBe(year);
  });

  it('keeps a JSON number year as written', () => {
    expect(parseProfile('{"artist":"A","title":"T","year":1977}').year).toBe('1977');
    expect(parseProfile('{"artist":"A","title":"T","year":-5}').year).toBe('-5');
  });

  it.each([
    ['empty', '""', 'must not be empty'],
    [
      'too long',
      JSON.stringify('y'.repeat(MAX_COURSE_YEAR_LENGTH + 1)),
      `must be at most ${MAX_COURSE_YEAR_LENGTH} characters`,
    ],
    ['null', 'null', 'must be a string'],
    ['a boolean', 'true', 'must be a string'],
    ['an array', '["1977"]', 'must be a string'],
    ['text with NUL', '"19\\u000077"', 'must not contain NUL characters'],
  ])('refuses a year that is %s', (_, year, message) => {
    expect(errorsOf(`{"artist":"A","title":"T","year":${year}}`)).toEqual([{ field: 'year', message }]);
  });

  it('refuses an empty year in the Java text', () => {
    expect(errorsOf(javaProfile('A', 'T', ''))).toEqual([{ field: 'year', message: 'must not be empty' }]);
  });

  it.each([
    ['artist', '{"artist":"A\\u0000B","title":"T","year":1977}', 'must not contain NUL characters'],
    ['title', javaProfile('A', 'T\u0000', '1977'), 'must not contain NUL characters'],
    ['artist', '{"artist":"\\ud800","title":"T","year":1977}', 'must be well-formed Unicode text'],
  ])('refuses text the database cannot store, naming the field (%s)', (field, text, message) => {
    expect(errorsOf(text)).toEqual([{ field, message }]);
  });

  it.each([
    ['invalid JSON', '{"artist":'],
    ['a JSON array', '[1,2]'],
    ['free text', 'artist=A&title=T&year=1977'],
    ['nothing', ''],
  ])('refuses %s, naming every missing field', (_, text) => {
    const fields = errorsOf(text).map((e) => e.field);
    expect(fields.sort()).toEqual(['artist', 'title', 'year']);
  });

  it('refuses wrongly typed and empty fields', () => {
    expect(errorsOf('{"artist":["A"],"title":"","year":""}')).toEqual([
      { field: 'artist', message: 'must be a string' },
      { field: 'title', message: 'must not be empty' },
      { field: 'year', message: 'must not be empty' },
    ]);
  });
});

describe('toNewAlbum', () => {
  it.each([
    ['1977', 1977],
    [' 1977 ', 1977],
    [String(MAX_YEAR), MAX_YEAR],
    [String(MAX_YEAR + 1), null],
    ['999', null],
    ['bye', null],
    ['1977.0', null],
    ['01977', null],
  ])('gives the year text %j the integer year %j', (yearText, year) => {
    expect(toNewAlbum({ artist: 'A', title: 'T', year: yearText })).toEqual({
      artist: 'A',
      title: 'T',
      year,
      yearText,
    });
  });
});
