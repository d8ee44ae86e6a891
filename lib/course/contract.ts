import type { Static } from 'typebox';
import * as Type from 'typebox';
import type { ErrorReply } from '../http/errors.js';
import { MAX_YEAR, MIN_YEAR, NewAlbum, ReviewKind } from '../schemas.js';
import { parsePath, wholeNumber } from '../validation.js';
import type { AlbumProfile, NewAlbumWithYearText } from './store.js';

/**
 * The CS6650 Album Store contract (v1.0–1.2): its shapes and the translation to and from ours. Course
 * clients send and expect these exactly; everything behind them is the service's own.
 */

/** The longest course `year` kept: the contract types it as free text, and clients send any. */
export const MAX_COURSE_YEAR_LENGTH = 64;

export const CourseAlbumId = Type.String({
  description:
    "The album's course id: the decimal number `POST albums` answered (`1` is the first album stored), or " +
    'the UUID of an album created through the album API. An id of any other shape names no album (404)',
  examples: ['1'],
});

/** The profile as a course client sends it, once read from either of its forms (see {@link parseProfile}). */
export const CourseProfile = Type.Object(
  {
    artist: NewAlbum.properties.artist,
    title: NewAlbum.properties.title,
    year: Type.String({
      minLength: 1,
      maxLength: MAX_COURSE_YEAR_LENGTH,
      description:
        'Any text (`"1977"`, `"bye"`), kept and given back exactly as sent; a JSON number is kept as written. ' +
        `The album API shows it as the integer \`year\` when it is a whole number from ${MIN_YEAR} to ${MAX_YEAR}, ` +
        'else as null',
      examples: ['1965'],
    }),
  },
  {
    $id: 'CourseProfile',
    examples: [{ artist: 'Nina Simone', title: 'Pastel Blues', year: '1965' }],
    description:
      'Sent as JSON text or as the text of the generated Java client (`class AlbumsProfile {…}`); other fields ' +
      'are ignored',
  },
);
export type CourseProfile = Static<typeof CourseProfile>;

export const CourseAlbumCreated = Type.Object(
  {
    albumID: Type.String({ description: 'The course id of the new album', examples: ['1'] }),
    imageSize: Type.String({ description: 'Bytes of the image as received', examples: ['3475'] }),
  },
  { additionalProperties: false, $id: 'CourseImageMetaData' },
);

export const CourseAlbumInfo = Type.Object(
  { artist: Type.String(), title: Type.String(), year: Type.String() },
  { additionalProperties: false, $id: 'CourseAlbumInfo' },
);
export type CourseAlbumInfo = Static<typeof CourseAlbumInfo>;

export const CourseReviewAccepted = Type.Object(
  {},
  { additionalProperties: false, $id: 'CourseReviewAccepted', description: 'Nothing: an empty object' },
);

export const CourseReviewCounts = Type.Object(
  { likes: Type.String(), dislikes: Type.String() },
  { additionalProperties: false, $id: 'CourseReviewCounts' },
);

export const CourseError = Type.Object(
  { msg: Type.String() },
  { additionalProperties: false, $id: 'CourseError' },
);
export type CourseError = Static<typeof CourseError>;

/** The course's path segment is the native review kind, spelled the same. */
export const LikeOrNot = Type.Union(ReviewKind.anyOf, {
  description: '`like` or `dislike`, exactly',
  examples: ['like'],
});

export const CourseAlbumPath = Type.Object({ albumID: CourseAlbumId });
export const CourseReviewPath = Type.Object({ likeornot: LikeOrNot, albumID: CourseAlbumId });

/**
 * The form `POST albums` takes, as documentation: the handler reads it with the multipart parser and
 * {@link parseProfile}, as no JSON Schema validator reads multipart bodies.
 */
export const CourseNewAlbumForm = Type.Object(
  {
    image: Type.String({
      format: 'binary',
      description:
        'The cover image, with a filename; any content type or none. Judged as received and stored as the ' +
        "album's cover: bytes that are not a JPEG, PNG, WebP or GIF leave the album without one",
    }),
    profile: CourseProfile,
  },
  { $id: 'CourseNewAlbumForm' },
);

/** Errors in the contract's dialect: `{"msg": …}`, and 400 for every malformed request. */
export function presentCourseError({ statusCode, message }: ErrorReply): {
  statusCode: number;
  body: CourseError;
} {
  return { statusCode: statusCode === 415 ? 400 : statusCode, body: { msg: message } };
}

/**
 * Reads the `profile` part, in either form course clients send: JSON (`year` a string or a number), or the
 * text of the generated Java client's `AlbumsProfile.toString()`:
 *
 * ```
 * class AlbumsProfile {
 *     artist: Sex Pistols
 *     title: Never Mind The Bollocks!
 *     year: 1977
 * }
 * ```
 *
 * Artist and title are checked as our own API checks them (trimmed); the year is any text of 1 to
 * {@link MAX_COURSE_YEAR_LENGTH} characters, kept exactly as sent. A malformed profile is a
 * `ValidationError` naming each offending field.
 *
 * @example
 * parseProfile('{"artist":"A","title":"T","year":"bye"}'); // { artist: 'A', title: 'T', year: 'bye' }
 */
export function parseProfile(text: string): CourseProfile {
  const trimmed = text.trim();
  const { artist, title, year } = trimmed.startsWith('{')
    ? parseJsonProfile(trimmed)
    : parseJavaProfile(trimmed);
  const trim = (value: unknown) => (typeof value === 'string' ? value.trim() : value);
  // Checked as sent rather than with `parse`, which would trim the year: it is given back byte for byte.
  return parsePath(CourseProfile, { artist: trim(artist), title: trim(title), year }, 'profile');
}

/**
 * The album as our own store keeps it: the year text as sent, and its integer year when it is a whole
 * number our API would accept (surrounding spaces aside), else null.
 *
 * @example
 * toNewAlbum({ artist: 'A', title: 'T', year: ' 1977' }); // { …, year: 1977, yearText: ' 1977' }
 */
export function toNewAlbum({ artist, title, year }: CourseProfile): NewAlbumWithYearText {
  const number = wholeNumber(year.trim());
  const inRange = number !== undefined && number >= MIN_YEAR && number <= MAX_YEAR;
  return { artist, title, year: inRange ? number : null, yearText: year };
}

/** The course's view of a stored album: every value a string, the year as its creator wrote it. */
export function presentCourseAlbum({ artist, title, year }: AlbumProfile): CourseAlbumInfo {
  return { artist, title, year };
}

/** The course id of an album: its sequence number, in decimal. */
export const courseAlbumId = (album: Pick<AlbumProfile, 'seq'>): string => String(album.seq);

function parseJsonProfile(text: string): Record<string, unknown> {
  try {
    // A number is kept as written (`1977.0` stays `1977.0`), as a client whose year is text would read it.
    const value = JSON.parse(text, (key, parsed, context?: { source?: string }) =>
      key === 'year' && typeof parsed === 'number' ? (context?.source ?? String(parsed)) : parsed,
    );
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { artist, title, year } = value as Record<string, unknown>;
      return { artist, title, year };
    }
  } catch {
    // reported below with the same message as any other unreadable profile
  }
  return {};
}

// The value is everything after `name: ` on its line, as the Java client's toString() wrote it.
const JAVA_FIELD = /^\s*(artist|title|year)\s*: ?(.*?)\r?$/;

function parseJavaProfile(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const match = JAVA_FIELD.exec(line);
    if (match?.[1]) fields[match[1]] = match[2];
  }
  return fields;
}
