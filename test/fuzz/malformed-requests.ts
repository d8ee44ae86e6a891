import fc from 'fast-check';
import { MAX_COURSE_YEAR_LENGTH } from '../../lib/course/contract.js';
import { MAX_FIELD_BYTES, MAX_PARTS } from '../../lib/http/multipart.js';
import { MAX_TEXT_LENGTH, MAX_YEAR } from '../../lib/schemas.js';
import { png } from '../support/images.js';

/**
 * Generators of requests that every route of both APIs must refuse: each one carries at least one defect
 * that no reading of the request can repair, so any answer but a 4xx in the API's own error shape is a bug.
 */

/** Whose error shape the answer must have: ours (`{message, errors?}`) or the course contract's (`{msg}`). */
export type Dialect = 'native' | 'course';

export interface MalformedRequest {
  /** The route as serverless.yml names it, for the summary. */
  route: string;
  dialect: Dialect;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What is wrong with it, for the counterexample. */
  defect: string;
}

export interface KnownAlbums {
  /**
   * Ids of albums that exist: only ever sent with a defect elsewhere in the request. All but the last are the
   * signed-in user's own; the last was created through the course contract and has no owner.
   */
  ids: string[];
  /** The `Authorization` header of another signed-in user, who owns none of them. */
  otherUser: { authorization: string };
  /** The same albums' course ids (their sequence numbers), which the course routes also take. */
  courseIds: string[];
  /** The largest cover the course route takes. */
  maxCoverBytes: number;
}

const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

/** A request with a short printed form, so a counterexample with a 5 MiB body stays readable. */
function request(fields: MalformedRequest): MalformedRequest {
  return Object.assign(fields, {
    [fc.toStringMethod]: () => {
      const body = fields.body
        ? ` body(${fields.body.length} bytes)=${JSON.stringify(fields.body.subarray(0, 300).toString('latin1'))}`
        : '';
      return `${fields.method} ${fields.path} ${JSON.stringify(fields.headers)}${body} [${fields.defect}]`;
    },
  });
}

// Text -------------------------------------------------------------------------------------------------

const someText = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '');

const nulText = fc
  .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
  .map(([a, b]) => `${a}\u0000${b}`);

/**
 * Strings PostgreSQL's text cannot hold as sent, whatever else they contain. An unpaired surrogate survives
 * only as a JSON escape: written as UTF-8 (a multipart part, a URL) it is already U+FFFD, which is fine.
 */
const unstorableText = fc.oneof(
  nulText,
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\ud800', '\udfff', '\udc00x'))
    .map(([a, b]) => a + b),
);

/** Characters as the schemas count them: code points, so an emoji is one. */
const characters = (s: string) => [...s].length;

/** Text over the length limit even once trimmed; now and then far over it. */
const tooLongText = fc
  .oneof(
    { weight: 20, arbitrary: fc.integer({ min: MAX_TEXT_LENGTH + 1, max: 20_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 500_000, max: 2_000_000 }) },
  )
  .chain((length) =>
    fc
      .constantFrom('x', 'é', '🎵', 'ab ')
      .map((unit) => Array.from(unit.repeat(length)).slice(0, length).join('')),
  )
  .filter((s) => characters(s.trim()) > MAX_TEXT_LENGTH);

const blankText = fc.constantFrom('', ' ', '\t\n', '\u00a0 ', '\r\n');

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

const badText = fc.oneof(unstorableText, tooLongText, blankText, notAString);

const badYear = fc.oneof(
  fc.integer({ min: -1_000_000, max: 999 }),
  fc.integer({ min: MAX_YEAR + 1, max: 1_000_000_000 }),
  fc.double({ min: 1000, max: MAX_YEAR, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom('1999', '', null, true, [1999], { year: 1999 }, 1e300),
);

// JSON bodies ----------------------------------------------------------------------------------------

const goodAlbum = fc.record({
  artist: someText,
  title: someText,
  year: fc.integer({ min: 1000, max: MAX_YEAR }),
});

type Album = Record<string, unknown>;

/** An album with one defect. */
const badAlbum: fc.Arbitrary<[Album, string]> = fc.oneof(
  fc
    .tuple(goodAlbum, fc.constantFrom('artist', 'title'), badText)
    .map(([album, field, value]): [Album, string] => [{ ...album, [field]: value }, `bad ${field}`]),
  fc.tuple(goodAlbum, badYear).map(([album, year]): [Album, string] => [{ ...album, year }, 'bad year']),
  fc.tuple(goodAlbum, fc.constantFrom('artist', 'title', 'year')).map(([album, field]): [Album, string] => {
    const { [field]: _missing, ...rest } = album;
    return [rest, `no ${field}`];
  }),
  fc
    .tuple(goodAlbum, fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }))
    .filter(([, key]) => !['artist', 'title', 'year'].includes(key))
    .map(([album, key, value]): [Album, string] => [{ ...album, [key]: value }, `extra field ${key}`]),
);

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** JSON text of something other than an object. */
const notAnObject = fc.oneof(
  fc.constantFrom('false', '0', '-0', 'null', 'true', '""', '[]', '[{}]', '"x"', '1e400', ' 0 '),
  fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
    .map((v) => JSON.stringify(v)),
);

const notJson = fc.oneof(
  fc.string({ maxLength: 50 }).filter((s) => s.trim() !== '' && !isJson(s)),
  fc.constantFrom('{', '{"artist":', "{'kind':'like'}", '\ufeff{}', 'NaN', '{"a":1}}', '{"kind":"like",}'),
  fc
    .tuple(goodAlbum, fc.nat())
    .map(([album, cut]) => JSON.stringify(album).slice(0, -1 - (cut % 10)))
    .filter((s) => !isJson(s)),
);

const emptyBody = fc.constantFrom('', ' ', '\n\t');

const jsonTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
);
const notJsonTypes = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/xml',
  'json',
);

/** Byte sequences that are not UTF-8: a stray byte, one cut short, an overlong form, an encoded surrogate. */
const notUtf8 = fc.constantFrom(
  [0xff],
  [0xfe, 0xff],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0x80],
);

/**
 * A good object spoiled so that its reply could grow with what was sent: a crowd of unknown fields, or a
 * field whose name is hundreds of kilobytes long. The reply must stay small all the same.
 */
function crowdedObject(good: fc.Arbitrary<unknown>): fc.Arbitrary<[unknown, string]> {
  return fc.oneof(
    fc.tuple(good, fc.integer({ min: 11, max: 3_000 })).map(([value, count]): [unknown, string] => [
      {
        ...(value as object),
        ...Object.fromEntries(Array.from({ length: count }, (_, i) => [`x${i}`, i])),
      },
      `${count} unknown fields`,
    ]),
    fc
      .tuple(good, fc.integer({ min: 1_000, max: 400_000 }))
      .map(([value, length]): [unknown, string] => [
        { ...(value as object), ['k'.repeat(length)]: 'k'.repeat(length) },
        `a field named with ${length} characters`,
      ]),
  );
}

/** A body for a route that takes a JSON object of `good`'s shape, with a defect. */
function badJsonBody(badObject: fc.Arbitrary<[unknown, string]>, good: fc.Arbitrary<unknown>) {
  const json = (text: string) => Buffer.from(text);
  return fc.oneof(
    fc
      .tuple(crowdedObject(good), jsonTypes)
      .map(([[value, defect], type]) => ({ type, body: json(JSON.stringify(value)), defect })),
    // Bytes that are not UTF-8 inside a string of an otherwise good object.
    fc.tuple(good, notUtf8, jsonTypes).map(([value, bytes, type]) => {
      // Marks the end of the first string with a character JSON escapes, where the bytes then go.
      let marked = false;
      const text = JSON.stringify(value, (_key, member) => {
        if (marked || typeof member !== 'string') return member;
        marked = true;
        return `${member}\u0007`;
      });
      const at = text.indexOf('\\u0007');
      return {
        type,
        body: Buffer.concat([json(text.slice(0, at)), Buffer.from(bytes), json(text.slice(at + 6))]),
        defect: `not UTF-8 (${bytes.map((b) => b.toString(16)).join(' ')})`,
      };
    }),
    fc
      .tuple(badObject, jsonTypes)
      .map(([[value, defect], type]) => ({ type, body: json(JSON.stringify(value)), defect })),
    fc
      .tuple(notAnObject, jsonTypes)
      .map(([text, type]) => ({ type, body: json(text), defect: 'not an object' })),
    fc.tuple(notJson, jsonTypes).map(([text, type]) => ({ type, body: json(text), defect: 'not JSON' })),
    fc.tuple(emptyBody, jsonTypes).map(([text, type]) => ({ type, body: json(text), defect: 'empty body' })),
    fc.tuple(good, notJsonTypes).map(([value, type]) => ({
      type,
      body: json(JSON.stringify(value)),
      defect: 'not a JSON content type',
    })),
    // No Content-Type at all: the emulator then calls the body JSON, so it must be bad as JSON too.
    fc
      .oneof(
        notJson,
        notAnObject,
        badObject.map(([value]) => JSON.stringify(value)),
      )
      .map((text) => ({ type: undefined, body: json(text), defect: 'no content type, bad body' })),
  );
}

const badReview: fc.Arbitrary<[unknown, string]> = fc.oneof(
  fc
    .oneof(fc.string({ maxLength: 20 }), unstorableText)
    .filter((kind) => !['like', 'dislike'].includes(kind.trim()))
    .map((kind): [unknown, string] => [{ kind }, 'bad kind']),
  fc
    .constantFrom('LIKE', 'Like', 'likes', 'like\u0000', 'dis like')
    .map((kind): [unknown, string] => [{ kind }, 'bad kind']),
  notAString.map((kind): [unknown, string] => [{ kind }, 'kind not a string']),
  fc.constant<[unknown, string]>([{}, 'no kind']),
  fc
    .tuple(fc.constantFrom('like', 'dislike'), fc.string({ minLength: 1, maxLength: 8 }))
    .filter(([, key]) => key !== 'kind')
    .map(([kind, key]): [unknown, string] => [{ kind, [key]: 1 }, 'extra field']),
);
const goodReview = fc.constantFrom({ kind: 'like' }, { kind: 'dislike' });

/** Any of an album's fields, none required. */
const someChanges = fc.record(
  { artist: someText, title: someText, year: fc.integer({ min: 1000, max: MAX_YEAR }) },
  { requiredKeys: [] },
);
/** A change an owner may make: at least one field, each valid. */
const goodChanges = someChanges.filter((changes) => Object.keys(changes).length > 0);

/** A change with one defect: a field as create would refuse it, no field at all, or one it does not know. */
const badChanges: fc.Arbitrary<[unknown, string]> = fc.oneof(
  fc
    .tuple(someChanges, fc.constantFrom('artist', 'title'), badText)
    .map(([changes, field, value]): [unknown, string] => [{ ...changes, [field]: value }, `bad ${field}`]),
  fc
    .tuple(someChanges, badYear)
    .map(([changes, year]): [unknown, string] => [{ ...changes, year }, 'bad year']),
  fc.constant<[unknown, string]>([{}, 'no field']),
  fc
    .tuple(someChanges, fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }))
    .filter(([, key]) => !['artist', 'title', 'year'].includes(key))
    .map(([changes, key, value]): [unknown, string] => [{ ...changes, [key]: value }, `extra field ${key}`]),
);

/** An `If-Match` no album's tag can match (a strong tag of our form has 27 base64url characters). */
const staleIfMatch = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 60 })
    .filter((value) => /^[!-~]([ -~]*[!-~])?$/.test(value) && value !== '*' && !/^"[\w-]{27}"$/.test(value))
    .map((value) => ({ value, defect: 'stale If-Match' })),
  fc.constantFrom('W/"a"', '"stale"', '"a", "b"', 'W/*', '""', ', ,').map((value) => ({
    value,
    defect: 'stale If-Match',
  })),
  fc
    .string({ minLength: 201, maxLength: 400 })
    .filter((value) => /^[!-~]([ -~]*[!-~])?$/.test(value))
    .map((value) => ({ value, defect: 'If-Match too long' })),
);

// Path and query values ------------------------------------------------------------------------------

/** A path segment as a client would write it; undefined when no URL can carry it as one segment. */
function segment(value: string): string | undefined {
  if (value === '' || value === '.' || value === '..') return undefined;
  try {
    return encodeURIComponent(value);
  } catch {
    return undefined; // a lone surrogate has no UTF-8 form to percent-encode
  }
}

/** An album id that is not one: a real one spoiled, or anything else; as a path segment. */
function malformedId(known: KnownAlbums) {
  const spoil = (id: string) =>
    fc.constantFrom(
      `${id}\n`,
      `${id}\r\n`,
      ` ${id}`,
      `${id} `,
      `${id}\t`,
      `${id}\u0000`,
      `\u0000${id}`,
      id.slice(0, -1),
      `${id}0`,
      `{${id}}`,
      id.replaceAll('-', ''),
      `${id},${id}`,
    );
  // A course id spoiled names no album either: the course routes take only the plain decimal number.
  const spoilCourseId = (id: string) =>
    fc.constantFrom(
      `${id} `,
      ` ${id}`,
      `${id}\n`,
      `0${id}`,
      `+${id}`,
      `-${id}`,
      `${id}.0`,
      `${id}e0`,
      `0x${id}`,
    );
  return fc
    .oneof(
      fc.constantFrom(...known.ids).chain(spoil),
      fc.constantFrom(...known.courseIds).chain(spoilCourseId),
      fc.uuid().chain(spoil),
      fc.string({ minLength: 1, maxLength: 60, unit: 'binary' }),
      fc.string({ minLength: 300, maxLength: 1000 }),
      fc.constantFrom('0', '-1', 'null', 'undefined', '{albumId}', "' OR '1'='1", '%', '%00', '\u0000', 'ü'),
    )
    .filter((id) => !UUID.test(id) && !known.courseIds.includes(id))
    .map(segment)
    .filter((s): s is string => s !== undefined);
}

/** A well-formed id of no album: a UUID, or (to the course routes; malformed to ours) a sequence number. */
const unknownId = (known: KnownAlbums) =>
  fc.oneof(
    fc.uuid().filter((id) => !known.ids.some((k) => k.toLowerCase() === id.toLowerCase())),
    fc.integer({ min: known.courseIds.length + 1000, max: Number.MAX_SAFE_INTEGER }).map(String),
  );

/** An id that must be refused: malformed (400) or of no album (404). */
const refusedId = (known: KnownAlbums) =>
  fc.oneof(
    { weight: 3, arbitrary: malformedId(known).map((id) => ({ id, defect: 'malformed id' })) },
    { weight: 1, arbitrary: unknownId(known).map((id) => ({ id, defect: 'unknown id' })) },
  );

const queryValue = (value: string) => encodeURIComponent(value);

const badLimit = fc.oneof(
  fc.constantFrom('1.5', '1.0', '0x10', '1e1', 'true', 'false', ' 5', '5 ', '+5', '05', '0', '101', '-1', ''),
  fc.constantFrom('NaN', 'Infinity', '٥', '5,6', '99999999999999999999', '1_0', '0b1', '0o7', '\u00005'),
  fc.string({ maxLength: 12 }).filter((s) => !/^([1-9]|[1-9][0-9]|100)$/.test(s)),
);

const isIssuedCursor = (cursor: string) => /^v1:\d{1,15}$/.test(Buffer.from(cursor, 'base64url').toString());
const badCursor = fc.oneof(
  fc.string({ maxLength: 40 }).filter((c) => !isIssuedCursor(c)),
  fc.constantFrom('', 'djE6', 'djE6LTE', 'v1:1', '\u0000', Buffer.from('v1:1\u0000').toString('base64url')),
);

// Short enough that the URL stays within Node's 16 KiB request head even with every character encoded.
const tooLongQueryText = fc
  .tuple(fc.integer({ min: MAX_TEXT_LENGTH + 1, max: 1000 }), fc.constantFrom('x', 'é', '🎵', 'ab '))
  .map(([length, unit]) => Array.from(unit.repeat(length)).slice(0, length).join(''))
  .filter((s) => characters(s.trim()) > MAX_TEXT_LENGTH);

const badArtist = fc.oneof(nulText, blankText, tooLongQueryText);

// Query values are trimmed before they are checked, so ' newest ' is still newest.
const badOrder = fc.oneof(
  fc.constantFrom('', 'Newest', 'OLDEST', 'desc', 'asc', 'newest,oldest', 'new est', '-seq', '\u0000newest'),
  fc.string({ maxLength: 12 }).filter((s) => !['oldest', 'newest'].includes(s.trim())),
);

/** GET /albums with at least one bad parameter, and maybe good ones beside it (each parameter once). */
const badListQuery = fc
  .tuple(
    fc.oneof(
      badLimit.map((v) => ({ name: 'limit', query: `limit=${queryValue(v)}`, defect: 'bad limit' })),
      badCursor.map((v) => ({ name: 'cursor', query: `cursor=${queryValue(v)}`, defect: 'bad cursor' })),
      badArtist.map((v) => ({ name: 'artist', query: `artist=${queryValue(v)}`, defect: 'bad artist' })),
      badOrder.map((v) => ({ name: 'order', query: `order=${queryValue(v)}`, defect: 'bad order' })),
    ),
    fc.subarray(['artist=Can', 'limit=10', 'order=newest']),
  )
  .map(([bad, good]) => ({
    query: [bad.query, ...good.filter((param) => !param.startsWith(`${bad.name}=`))].join('&'),
    defect: bad.defect,
  }));

// Multipart -------------------------------------------------------------------------------------------

interface Part {
  name?: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = '\r\n';

function multipartBody(parts: Part[], boundary: string, closing = `--${boundary}--${CRLF}`): Buffer {
  const chunks: Buffer[] = [];
  for (const { name, filename, contentType, data } of parts) {
    const disposition = `Content-Disposition: form-data${name === undefined ? '' : `; name="${name}"`}${
      filename === undefined ? '' : `; filename="${filename}"`
    }`;
    const type = contentType ? `${CRLF}Content-Type: ${contentType}` : '';
    chunks.push(
      Buffer.from(`--${boundary}${CRLF}${disposition}${type}${CRLF}${CRLF}`),
      data,
      Buffer.from(CRLF),
    );
  }
  chunks.push(Buffer.from(closing));
  return Buffer.concat(chunks);
}

const coverImage = png(8, 8);
const imagePart = (data: Buffer = coverImage): Part => ({
  name: 'image',
  filename: 'cover.png',
  contentType: 'application/octet-stream',
  data,
});
const profilePart = (text: string, asFile = false): Part => ({
  name: 'profile',
  ...(asFile ? { contentType: 'application/octet-stream' } : {}),
  data: Buffer.from(text),
});

const javaProfile = (artist: unknown, title: unknown, year: unknown) =>
  `class AlbumsProfile {\n    artist: ${artist}\n    title: ${title}\n    year: ${year}\n}`;

const goodProfile = fc
  .tuple(goodAlbum, fc.boolean())
  .map(([{ artist, title, year }, java]) =>
    java ? javaProfile(artist, title, year) : JSON.stringify({ artist, title, year: String(year) }),
  );

/**
 * A course year is any text of 1 to {@link MAX_COURSE_YEAR_LENGTH} characters that the database can store,
 * or a JSON number (kept as written); a course profile ignores fields it does not know. Those are no defect.
 */
const isCourseYear = (year: unknown) =>
  typeof year === 'number' ||
  (typeof year === 'string' &&
    year.length >= 1 &&
    characters(year) <= MAX_COURSE_YEAR_LENGTH &&
    !year.includes('\u0000') &&
    !/\p{Cs}/u.test(year));
const isDefectInProfile = ([album, defect]: [Album, string]) =>
  !defect.startsWith('extra field') && !(defect === 'bad year' && isCourseYear(album.year));

/** Years the course refuses: not text (nor a number), empty, too long, or text the database cannot store. */
const badCourseYear = fc.oneof(
  fc.constantFrom(null, true, false, [1999], { year: 1999 }, '', ['1977']),
  fc
    .integer({ min: MAX_COURSE_YEAR_LENGTH + 1, max: 500 })
    .chain((length) => fc.constantFrom('9', 'y', '🎵', ' ').map((unit) => unit.repeat(length)))
    .filter((year) => characters(year) > MAX_COURSE_YEAR_LENGTH),
  unstorableText,
);

/** Profile text with a defect, in either of the forms course clients send. */
const badProfile = fc.oneof(
  badAlbum
    .filter(isDefectInProfile)
    .map(([album, defect]) => ({ text: JSON.stringify(album), defect: `profile: ${defect}` })),
  fc.tuple(goodAlbum, badCourseYear).map(([album, year]) => ({
    text: JSON.stringify({ ...album, year }),
    defect: 'profile: bad course year',
  })),
  fc
    .tuple(fc.oneof(nulText, blankText), someText, fc.integer({ min: 1000, max: MAX_YEAR }))
    .map(([artist, title, year]) => ({
      text: javaProfile(artist, title, year),
      defect: 'profile: Java, bad artist',
    })),
  // Only the year the Java client sends when it has none left (a longer or NUL one the fuzz of JSON covers).
  fc
    .tuple(someText, someText, fc.constantFrom('', 'y'.repeat(MAX_COURSE_YEAR_LENGTH + 1), '19\u000077'))
    .map(([artist, title, year]) => ({
      text: javaProfile(artist, title, year),
      defect: 'profile: Java, bad year',
    })),
  fc
    .oneof(
      notJson.filter((t) => t.trim().startsWith('{')),
      notAnObject,
      emptyBody,
    )
    .map((text) => ({
      text,
      defect: 'profile: unreadable',
    })),
);

interface MultipartCase {
  contentType?: string;
  body: Buffer;
  defect: string;
}

function badMultipart(known: KnownAlbums): fc.Arbitrary<MultipartCase> {
  const boundary = fc.stringMatching(/^[A-Za-z0-9_-]{0,60}[A-Za-z0-9]$/).filter((b) => b !== 'not-the-one');
  const typeFor = (b: string) => `multipart/form-data; boundary=${b}`;
  const form = (parts: Part[], b: string, defect: string, closing?: string): MultipartCase => ({
    contentType: typeFor(b),
    body: multipartBody(parts, b, closing),
    defect,
  });
  const wellFormed = fc
    .tuple(goodProfile, fc.boolean())
    .map(([text, asFile]) => [imagePart(), profilePart(text, asFile)]);
  const shuffled = (parts: Part[]) =>
    fc.shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length });

  return fc.oneof(
    {
      weight: 24,
      arbitrary: fc
        .tuple(badProfile, boundary, fc.boolean())
        .chain(([profile, b, asFile]) =>
          shuffled([imagePart(), profilePart(profile.text, asFile)]).map((parts) =>
            form(parts, b, profile.defect),
          ),
        ),
    },
    {
      weight: 12,
      arbitrary: fc.tuple(wellFormed, boundary, fc.nat()).map(([parts, b, cut]) => {
        const whole = multipartBody(parts, b);
        // Anywhere before the closing delimiter is complete: the form is cut short.
        const end = whole.lastIndexOf(`--${b}--`);
        return { contentType: typeFor(b), body: whole.subarray(0, cut % end), defect: 'cut short' };
      }),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(wellFormed, boundary, fc.constantFrom('--other--\r\n', '', '--\r\n', 'trailing'))
        .map(([parts, b, closing]) => form(parts, b, 'wrong closing boundary', closing)),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(goodProfile, boundary)
        .chain(([text, b]) =>
          fc.constantFrom(
            form([imagePart()], b, 'no profile'),
            form([profilePart(text)], b, 'no image'),
            form([], b, 'no parts'),
          ),
        ),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(goodProfile, boundary, fc.constantFrom('image', 'profile'))
        .chain(([text, b, twice]) =>
          shuffled([imagePart(), profilePart(text), twice === 'image' ? imagePart() : profilePart(text)]).map(
            (parts) => form(parts, b, `${twice} twice`),
          ),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(goodProfile, boundary)
        .map(([text, b]) => form([imagePart(Buffer.alloc(0)), profilePart(text)], b, 'empty image')),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(goodProfile, boundary)
        .map(([text, b]) =>
          form(
            [{ name: 'image', data: coverImage }, profilePart(text)],
            b,
            'image without a filename is a field',
          ),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(goodProfile, boundary)
        .map(([text, b]) =>
          form(
            [{ filename: 'x.png', data: coverImage }, imagePart(), profilePart(text)],
            b,
            'part without a name',
          ),
        ),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(wellFormed, boundary).map(([parts, b]) => {
        const extra = Array.from({ length: MAX_PARTS }, (_, i) => profilePart(`x${i}`)).map((p, i) => ({
          ...p,
          name: `extra${i}`,
        }));
        return form([...parts, ...extra], b, 'too many parts');
      }),
    },
    {
      weight: 4,
      arbitrary: boundary.map((b) =>
        form(
          [imagePart(), profilePart(' '.repeat(MAX_FIELD_BYTES + 1) + javaProfile('A', 'T', 1999))],
          b,
          'profile field too large',
        ),
      ),
    },
    {
      weight: 12,
      arbitrary: fc
        .tuple(
          wellFormed,
          boundary,
          fc.constantFrom(
            'multipart/form-data',
            'multipart/form-data; boundary=',
            'multipart/form-data; boundary=""',
            `multipart/form-data; boundary=${'b'.repeat(71)}`,
            'multipart/form-data; boundary=not-the-one',
            'multipart/mixed; boundary=BOUNDARY',
            'text/plain',
            'application/json',
            'application/octet-stream',
            undefined,
          ),
        )
        .map(([parts, b, contentType]) => ({
          contentType: contentType?.replace('BOUNDARY', b),
          body: multipartBody(parts, b),
          defect: `content type ${contentType}`,
        })),
    },
    // Bigger than the largest cover by a byte: few, to keep the run short.
    {
      weight: 3,
      arbitrary: fc
        .tuple(goodProfile, boundary)
        .map(([text, b]) =>
          form(
            [profilePart(text), imagePart(Buffer.alloc(known.maxCoverBytes + 1, 7))],
            b,
            'image over the limit',
          ),
        ),
    },
  );
}

// Routes ----------------------------------------------------------------------------------------------

/**
 * Requests to the routes only an album's owner may use, that must each be refused: a malformed or unknown
 * id, a bad change or `If-Match` on the signed-in user's own album, or a good change by another user or to
 * the course's album (which has no owner).
 */
function ownerRoutes(known: KnownAlbums): fc.Arbitrary<MalformedRequest> {
  const mine = fc.constantFrom(...known.ids.slice(0, -1));
  const courseAlbum = known.ids.at(-1) as string;
  const json = { 'content-type': 'application/json' };
  const patch = (albumId: string, defect: string, headers: Record<string, string>, body: Buffer) =>
    request({
      route: 'PATCH /albums/{albumId}',
      dialect: 'native',
      method: 'PATCH',
      path: `/albums/${albumId}`,
      headers,
      body,
      defect,
    });
  const remove = (albumId: string, defect: string, headers: Record<string, string> = {}) =>
    request({
      route: 'DELETE /albums/{albumId}',
      dialect: 'native',
      method: 'DELETE',
      path: `/albums/${albumId}`,
      headers,
      defect,
    });
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));
  return fc.oneof(
    fc
      .tuple(mine, badJsonBody(badChanges, goodChanges))
      .map(([albumId, { type, body, defect }]) =>
        patch(albumId, defect, type ? { 'content-type': type } : {}, body),
      ),
    fc
      .tuple(refusedId(known), goodChanges)
      .map(([{ id, defect }, changes]) => patch(id, defect, json, body(changes))),
    fc
      .tuple(mine, goodChanges, staleIfMatch)
      .map(([albumId, changes, { value, defect }]) =>
        patch(albumId, defect, { ...json, 'if-match': value }, body(changes)),
      ),
    fc
      .tuple(mine, goodChanges)
      .map(([albumId, changes]) =>
        patch(albumId, "another user's album", { ...json, ...known.otherUser }, body(changes)),
      ),
    goodChanges.map((changes) => patch(courseAlbum, 'the course album', json, body(changes))),
    refusedId(known).map(({ id, defect }) => remove(id, defect)),
    mine.map((albumId) => remove(albumId, "another user's album", known.otherUser)),
    fc.constant(remove(courseAlbum, 'the course album')),
    mine.map((albumId) =>
      request({
        route: 'POST /albums/{albumId}/cover',
        dialect: 'native',
        method: 'POST',
        path: `/albums/${albumId}/cover`,
        headers: known.otherUser,
        defect: "another user's album",
      }),
    ),
  );
}

/**
 * Requests to every route of both APIs that must each be refused. Existing albums appear only beside
 * another defect, so nothing generated may change an album, a cover or a count.
 */
export function malformedRequests(known: KnownAlbums): fc.Arbitrary<MalformedRequest> {
  const id = refusedId(known);
  const anyId = fc.oneof(
    id,
    fc.constantFrom(...known.ids, ...known.courseIds).map((i) => ({ id: i, defect: '' })),
  );
  const native = (route: string, method: string, path: string, defect: string, headers = {}, body?: Buffer) =>
    request({ route, dialect: 'native', method, path, headers, body, defect });
  const course = (route: string, method: string, path: string, defect: string, headers = {}, body?: Buffer) =>
    request({ route, dialect: 'course', method, path, headers, body, defect });
  const typed = (type: string | undefined): Record<string, string> => (type ? { 'content-type': type } : {});
  const badLikeOrNot = fc
    .oneof(
      fc.constantFrom(
        'LIKE',
        'Like',
        'likes',
        'like ',
        ' like',
        'like\n',
        'like\u0000',
        'dis',
        'unlike',
        '1',
        'true',
      ),
      fc.string({ minLength: 1, maxLength: 20 }),
    )
    .filter((v) => v !== 'like' && v !== 'dislike')
    .map(segment)
    .filter((s): s is string => s !== undefined);

  return fc.oneof(
    badJsonBody(badAlbum, goodAlbum).map(({ type, body, defect }) =>
      native('POST /albums', 'POST', '/albums', defect, typed(type), body),
    ),
    badListQuery.map(({ query, defect }) => native('GET /albums', 'GET', `/albums?${query}`, defect)),
    id.map(({ id, defect }) => native('GET /albums/{albumId}', 'GET', `/albums/${id}`, defect)),
    id.map(({ id, defect }) =>
      native('GET /albums/{albumId}/reviews', 'GET', `/albums/${id}/reviews`, defect),
    ),
    id.map(({ id, defect }) => native('POST /albums/{albumId}/cover', 'POST', `/albums/${id}/cover`, defect)),
    ownerRoutes(known),
    id.map(({ id, defect }) =>
      native('GET /albums/{albumId}/reviews/mine', 'GET', `/albums/${id}/reviews/mine`, defect),
    ),
    id.map(({ id, defect }) =>
      native('DELETE /albums/{albumId}/reviews/mine', 'DELETE', `/albums/${id}/reviews/mine`, defect),
    ),
    fc.oneof(
      // An album that exists with a bad body, or a good body for an album that does not.
      fc
        .tuple(fc.constantFrom(...known.ids), badJsonBody(badReview, goodReview))
        .map(([albumId, { type, body, defect }]) =>
          native(
            'POST /albums/{albumId}/reviews',
            'POST',
            `/albums/${albumId}/reviews`,
            defect,
            typed(type),
            body,
          ),
        ),
      fc
        .tuple(id, goodReview)
        .map(([{ id, defect }, review]) =>
          native(
            'POST /albums/{albumId}/reviews',
            'POST',
            `/albums/${id}/reviews`,
            defect,
            typed('application/json'),
            Buffer.from(JSON.stringify(review)),
          ),
        ),
    ),
    badMultipart(known).map(({ contentType, body, defect }) =>
      course('POST /cs6650/albums', 'POST', '/cs6650/albums', defect, typed(contentType), body),
    ),
    id.map(({ id, defect }) => course('GET /cs6650/albums/{albumID}', 'GET', `/cs6650/albums/${id}`, defect)),
    id.map(({ id, defect }) => course('GET /cs6650/review/{albumID}', 'GET', `/cs6650/review/${id}`, defect)),
    fc.oneof(
      fc
        .tuple(badLikeOrNot, anyId)
        .map(([likeOrNot, { id, defect }]) =>
          course(
            'POST /cs6650/review/{likeornot}/{albumID}',
            'POST',
            `/cs6650/review/${likeOrNot}/${id}`,
            `bad likeornot ${defect}`.trim(),
          ),
        ),
      fc
        .tuple(fc.constantFrom('like', 'dislike'), id)
        .map(([likeOrNot, { id, defect }]) =>
          course(
            'POST /cs6650/review/{likeornot}/{albumID}',
            'POST',
            `/cs6650/review/${likeOrNot}/${id}`,
            defect,
          ),
        ),
    ),
    // A method no route of the path has, or a path no route has: answered in the dialect of the path's API.
    fc
      .oneof(
        fc.tuple(fc.constantFrom('PUT'), fc.constantFrom(`/albums/${known.ids[0]}`)),
        fc.tuple(
          fc.constantFrom('PUT', 'POST', 'PATCH'),
          fc.constantFrom(`/albums/${known.ids[0]}/reviews/mine`),
        ),
        fc.tuple(
          fc.constantFrom('PUT', 'DELETE', 'PATCH'),
          fc.constantFrom(
            '/albums',
            `/albums/${known.ids[0]}/reviews`,
            `/albums/${known.ids[0]}/cover`,
            '/cs6650/albums',
            `/cs6650/albums/${known.ids[0]}`,
            `/cs6650/review/like/${known.ids[0]}`,
            `/cs6650/review/${known.ids[0]}`,
          ),
        ),
        fc.tuple(
          fc.constantFrom('GET', 'POST'),
          fc.constantFrom(
            `/albums/${known.ids[0]}/reviews/like`,
            '/albums/reviews/x/y',
            '/cs6650/review',
            `/cs6650/albums/${known.ids[0]}/reviews`,
            '/cs6650/',
          ),
        ),
      )
      .map(([method, path]) =>
        request({
          route: `${method} (no such route)`,
          dialect: path.startsWith('/cs6650/') ? 'course' : 'native',
          method,
          path,
          headers: {},
          defect: 'no such route',
        }),
      ),
  );
}
