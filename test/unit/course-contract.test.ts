import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../lib/course-contract.js';
import { ValidationError } from '../../lib/errors.js';

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

const pistols = { artist: 'Sex Pistols', title: 'Never Mind The Bollocks!', year: 1977 };

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

  it.each(['1977.0', '0x7b9', '1e3', '+1977', '01977', 'true', '19 77', ''])(
    'refuses the year %j: only a plain decimal integer is a year',
    (year) => {
      expect(errorsOf(JSON.stringify({ artist: 'A', title: 'T', year }))).toEqual([
        { field: 'year', message: 'must be an integer' },
      ]);
      expect(errorsOf(javaProfile('A', 'T', year))).toEqual([
        { field: 'year', message: 'must be an integer' },
      ]);
    },
  );

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

  it('refuses wrongly typed and out-of-range fields', () => {
    expect(errorsOf('{"artist":["A"],"title":"","year":99}')).toEqual([
      { field: 'artist', message: 'must be a string' },
      { field: 'title', message: 'must not be empty' },
      { field: 'year', message: expect.stringMatching(/^must be between 1000 and /) },
    ]);
  });
});
