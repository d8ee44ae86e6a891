import type { Static } from 'typebox';
import * as Type from 'typebox';
import { MAX_LISTED_ERRORS } from './errors.js';

/**
 * Request and response shapes, defined once: used to validate input, to type the code and to build
 * the OpenAPI document (openapi/document.ts).
 */

export const MAX_TEXT_LENGTH = 200;
export const MIN_YEAR = 1000;
/** Albums may be announced a year ahead. Fixed at cold start; a container does not outlive a New Year by much. */
export const MAX_YEAR = new Date().getUTCFullYear() + 1;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The example a schema shows in the API docs, which Swagger UI's "Try it out" fills in. */
const example = <T>(value: T) => ({ examples: [value] });

const Text = (description: string, shown: string) =>
  Type.String({
    minLength: 1,
    maxLength: MAX_TEXT_LENGTH,
    description: `${description}; surrounding spaces are trimmed`,
    ...example(shown),
  });

/** The demo album the local stack keeps (and the sample events in events/ name): its "Try it out" answers. */
const EXAMPLE_ALBUM_ID = '00000000-0000-4000-8000-000000000000';

export const AlbumId = Type.String({
  format: 'uuid',
  description: 'Album identifier (UUID)',
  ...example(EXAMPLE_ALBUM_ID),
});

/** Who a signed-in caller is: the `sub` claim of their token. */
export const UserId = Type.String({
  minLength: 1,
  maxLength: 255,
  description: 'A user: the `sub` claim of the tokens the sign-in issues for them',
});
export const AlbumPath = Type.Object({ albumId: AlbumId });

export const NewAlbum = Type.Object(
  {
    artist: Text('Performing artist', 'Nina Simone'),
    title: Text('Album title', 'Pastel Blues'),
    year: Type.Integer({
      minimum: MIN_YEAR,
      maximum: MAX_YEAR,
      description: 'Release year',
      ...example(1965),
    }),
  },
  {
    additionalProperties: false,
    $id: 'NewAlbum',
    ...example({ artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 }),
  },
);
export type NewAlbum = Static<typeof NewAlbum>;

export const AlbumChanges = Type.Object(
  {
    artist: Type.Optional(NewAlbum.properties.artist),
    title: Type.Optional(NewAlbum.properties.title),
    year: Type.Optional(NewAlbum.properties.year),
  },
  {
    additionalProperties: false,
    $id: 'AlbumChanges',
    description: 'Any of the fields of a new album, with the same rules; at least one',
    ...example({ title: 'Wild Is the Wind' }),
  },
);
export type AlbumChanges = Static<typeof AlbumChanges>;

/** The optional header that makes a change conditional on the album being the one the client last saw. */
export const AlbumChangeHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'The `ETag` of the album as `GET /albums/{albumId}` gave it (or `*`). When the album has changed ' +
        'since (including its review counts, and its cover URL, signed anew each minute), nothing is ' +
        'changed and the answer is 412: read it again and decide.',
      // `*`: whatever the album is now, as long as there is one.
      ...example('*'),
    }),
  ),
});

export const CoverStatus = Type.Union(
  [Type.Literal('pending'), Type.Literal('ready'), Type.Literal('rejected')],
  {
    description:
      '`pending` until an uploaded cover has been verified; a cover once `ready` stays shown until a ' +
      'replacement is verified',
  },
);

export const ReviewCounts = Type.Object(
  { likes: Type.Integer({ minimum: 0 }), dislikes: Type.Integer({ minimum: 0 }) },
  {
    additionalProperties: false,
    $id: 'ReviewCounts',
    description: 'Counts of applied reviews; an accepted review is counted within seconds',
  },
);
export type ReviewCounts = Static<typeof ReviewCounts>;

export const Album = Type.Object(
  {
    albumId: AlbumId,
    artist: Type.String(),
    title: Type.String(),
    year: Type.Union([Type.Integer(), Type.Null()], {
      description:
        'Release year. null only for an album created through the CS6650 course contract (under /cs6650/) ' +
        `whose year was text that is not a whole number between ${MIN_YEAR} and ${MAX_YEAR}, such as "bye": ` +
        'the course API gives that text back as sent',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    owner: Type.Union([UserId, Type.Null()], {
      description:
        'The user who created the album, who alone may change or delete it; null for an album created ' +
        'through the CS6650 course contract, which nobody can change through this API',
    }),
    cover: Type.Object(
      {
        status: CoverStatus,
        reason: Type.Optional(Type.String({ description: 'Why a cover was rejected' })),
        upload: Type.Optional(
          Type.Object(
            {
              key: Type.String({ description: 'The `key` of the upload, as its `CoverUpload` named it' }),
              status: Type.Union([Type.Literal('ready'), Type.Literal('rejected')]),
              reason: Type.Optional(Type.String({ description: 'Why it was rejected' })),
            },
            {
              additionalProperties: false,
              description:
                'The newest upload verified so far. A rejected replacement leaves the ready cover shown; ' +
                'a client that uploaded waits until this names its key.',
            },
          ),
        ),
        url: Type.Optional(Type.String({ format: 'uri', description: 'A short-lived URL of a ready cover' })),
        contentType: Type.Optional(Type.String()),
        size: Type.Optional(Type.Integer({ minimum: 1, description: 'Bytes' })),
        width: Type.Optional(Type.Integer({ minimum: 1 })),
        height: Type.Optional(Type.Integer({ minimum: 1 })),
      },
      { additionalProperties: false },
    ),
    reviews: ReviewCounts,
  },
  { additionalProperties: false, $id: 'Album' },
);
export type Album = Static<typeof Album>;

export const CoverUpload = Type.Object(
  {
    method: Type.Literal('POST'),
    url: Type.String({ format: 'uri', description: 'Where the browser POSTs the multipart form' }),
    fields: Type.Record(Type.String(), Type.String(), {
      description:
        'Form fields to send before the `file` field, as given, plus a `Content-Type` of the image unless ' +
        'they carry one',
    }),
    key: Type.String({ description: 'Object key the cover is stored under' }),
    expiresAt: Type.String({ format: 'date-time' }),
    maxBytes: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false, $id: 'CoverUpload' },
);
export type CoverUpload = Static<typeof CoverUpload>;

export const CoverUploadQuery = Type.Object({
  contentType: Type.Optional(
    Type.Union(
      ['image/jpeg', 'image/png', 'image/webp', 'image/gif'].map((type) => Type.Literal(type)),
      {
        description:
          'The type of the image to upload. Given, the form carries a `Content-Type` field of exactly this ' +
          'type and S3 refuses any other; without it, the client adds a `Content-Type` of the image itself.',
        ...example('image/png'),
      },
    ),
  ),
});
export type CoverUploadQuery = Static<typeof CoverUploadQuery>;

export const CreatedAlbum = Type.Object(
  { ...Album.properties, upload: CoverUpload },
  { additionalProperties: false, $id: 'CreatedAlbum' },
);
export type CreatedAlbum = Static<typeof CreatedAlbum>;

export const AlbumListQuery = Type.Object({
  artist: Type.Optional(Text('Only albums by this artist (case-insensitive exact match)', 'Nina Simone')),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      description: `Page size, default ${DEFAULT_PAGE_SIZE}`,
      ...example(10),
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'The `nextCursor` of the previous page (the example is the cursor before the first album)',
      ...example('djE6MA'),
    }),
  ),
  owner: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: "Only this user's albums (the albums' `owner`)",
      // The demo albums' owner, the local user the sample events name.
      ...example('b4d0e3bd-ca11-8a17-88d2-5d5983195475'),
    }),
  ),
  order: Type.Optional(
    Type.Union([Type.Literal('oldest'), Type.Literal('newest')], {
      description:
        'Creation order, `oldest` first (the default) or `newest` first; a cursor continues only a listing in its own order',
      ...example('newest'),
    }),
  ),
});
export type AlbumListQuery = Static<typeof AlbumListQuery>;

export const AlbumPage = Type.Object(
  {
    items: Type.Array(Album),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  },
  { additionalProperties: false, $id: 'AlbumPage' },
);
export type AlbumPage = Static<typeof AlbumPage>;

export const ReviewKind = Type.Union([Type.Literal('like'), Type.Literal('dislike')], example('like'));
export type ReviewKind = Static<typeof ReviewKind>;

export const NewReview = Type.Object(
  { kind: ReviewKind },
  { additionalProperties: false, $id: 'NewReview', ...example({ kind: 'like' }) },
);
export type NewReview = Static<typeof NewReview>;

export const AcceptedVote = Type.Object(
  {
    albumId: AlbumId,
    vote: Type.Union([ReviewKind, Type.Null()], { description: 'The vote accepted; null withdraws it' }),
    messageId: Type.String({ format: 'uuid', description: 'The id the API gave this vote' }),
    acceptedAt: Type.String({
      format: 'date-time',
      description:
        "When the API accepted it. Of a user's votes on an album, the one accepted last is the one that " +
        'counts, whatever order the queue delivers them in',
    }),
  },
  { additionalProperties: false, $id: 'AcceptedVote' },
);
export type AcceptedVote = Static<typeof AcceptedVote>;

/** A signed-in user's vote on an album: their like or dislike, or null when they have none. */
export const MyVote = Type.Object(
  {
    albumId: AlbumId,
    vote: Type.Union([ReviewKind, Type.Null()], {
      description:
        "The caller's current vote as the consumer has applied it (a vote just sent shows within seconds); " +
        'null when they have none or withdrew it',
    }),
  },
  { additionalProperties: false, $id: 'MyVote' },
);
export type MyVote = Static<typeof MyVote>;

/** An anonymous review on the queue (the course contract's), as the consumer must find it. */
export const ReviewMessage = Type.Object({
  reviewId: Type.String({ format: 'uuid' }),
  albumId: AlbumId,
  kind: ReviewKind,
});
export type ReviewMessage = Static<typeof ReviewMessage>;

/**
 * A signed-in user's vote on the queue, as the consumer must find it: `vote` null withdraws it. `acceptedAt`
 * (when the API accepted it) and `messageId` (the id the API gave it) order it among the user's other
 * votes on the album: the newest wins, whatever order the queue delivers them in.
 */
export const VoteMessage = Type.Object({
  messageId: Type.String({ format: 'uuid' }),
  albumId: AlbumId,
  voter: UserId,
  vote: Type.Union([ReviewKind, Type.Null()]),
  acceptedAt: Type.Integer({ minimum: 0, description: 'Milliseconds since the epoch' }),
});
export type VoteMessage = Static<typeof VoteMessage>;

export const ErrorBody = Type.Object(
  {
    message: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ field: Type.String(), message: Type.String() }, { additionalProperties: false }),
        { maxItems: MAX_LISTED_ERRORS },
      ),
    ),
    omittedErrors: Type.Optional(
      Type.Integer({ minimum: 1, description: 'How many more problems were found than `errors` lists' }),
    ),
  },
  { additionalProperties: false, $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;
