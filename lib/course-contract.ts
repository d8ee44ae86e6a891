import Type, { type Static } from 'typebox';
import type { ErrorReply } from './http/errors.js';
import { NewAlbum } from './schemas.js';
import { parse, wholeNumber } from './validation.js';

/**
 * The CS6650 Album Store contract (v1.0–1.2): its shapes and the translation to and from ours. Course
 * clients send and expect these exactly; everything behind them is the service's own.
 */

export const CourseAlbumCreated = Type.Object(
  { albumID: Type.String(), imageSize: Type.String() },
  { additionalProperties: false, $id: 'CourseImageMetaData' },
);

export const CourseAlbumInfo = Type.Object(
  { artist: Type.String(), title: Type.String(), year: Type.String() },
  { additionalProperties: false, $id: 'CourseAlbumInfo' },
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

export const LikeOrNot = Type.Union([Type.Literal('like'), Type.Literal('dislike')]);

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
 * A `year` given as text must be a plain decimal integer; the fields are then checked as our own API
 * checks a new album, so a malformed profile is a `ValidationError` naming the field.
 */
export function parseProfile(text: string): NewAlbum {
  const trimmed = text.trim();
  const raw = trimmed.startsWith('{') ? parseJsonProfile(trimmed) : parseJavaProfile(trimmed);
  const year = typeof raw.year === 'string' ? (wholeNumber(raw.year.trim()) ?? raw.year) : raw.year;
  return parse(NewAlbum, { artist: raw.artist, title: raw.title, year }, 'profile');
}

function parseJsonProfile(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { artist, title, year } = value as Record<string, unknown>;
      return { artist, title, year };
    }
  } catch {
    // reported below with the same message as any other unreadable profile
  }
  return {};
}

const JAVA_FIELD = /^\s*(artist|title|year)\s*:\s?(.*?)\s*$/;

function parseJavaProfile(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = JAVA_FIELD.exec(line);
    if (match?.[1]) fields[match[1]] = match[2];
  }
  return fields;
}
