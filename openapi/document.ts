import {
  AcceptedVote,
  Album,
  AlbumChangeHeaders,
  AlbumChanges,
  AlbumListQuery,
  AlbumPage,
  AlbumPath,
  CoverUpload,
  CoverUploadQuery,
  CreatedAlbum,
  ErrorBody,
  MAX_TEXT_LENGTH,
  MyVote,
  NewAlbum,
  NewReview,
  ReviewCounts,
} from '../lib/schemas.js';
import {
  cacheableContent,
  errorResponse,
  ifNoneMatch,
  jsonContent,
  jsonRequest,
  notModified,
  parameters,
  plain,
} from './json-schema.js';

const commonErrors = {
  '400': errorResponse('The request is malformed; `errors` names each offending field'),
  '500': errorResponse('An unexpected error; details are in the logs'),
  '503': {
    ...errorResponse(
      'A dependency is unavailable or did not answer in time; retry after the Retry-After header',
    ),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
  },
};

/** What every route behind the `albumUsers` JWT authorizer has: a signed-in caller, or API Gateway's 401. */
const signedIn = {
  security: [{ albumUsers: [] }],
} as const;
const unauthorized = {
  '401': errorResponse(
    'No valid token in the Authorization header; API Gateway answers `{"message":"Unauthorized"}` before the function runs',
  ),
};

const notOwner = {
  '403': errorResponse(
    "The album is not the caller's: only the user who created it may change it, and an album created " +
      'through the course contract has no owner',
  ),
};

/** Which of a user's votes counts, said once for every route that takes or shows one. */
const VOTE_ORDER =
  'A user has one vote per album. Of the votes and withdrawals they send, the one the API accepted last ' +
  'counts (`acceptedAt`, then `messageId` between two of the same millisecond), not the one the queue ' +
  'delivers last: the queue delivers at least once and out of order, and while it is unavailable votes ' +
  'are applied directly, so a late, repeated or reordered message must not undo a newer vote. A ' +
  'withdrawal is kept as such, so an older vote arriving after it cannot bring the vote back. The counts ' +
  'are the sum of current votes (plus the anonymous reviews of the course contract).';

const ALBUM_LIFETIME =
  '`public, max-age=N`: N seconds, how long review counts are reused (ALBUM_COUNTS_TTL_MS, 1 s by default); ' +
  '`no-cache` when that is under a second';
const PAGE_LIFETIME = '`no-cache`: a page is read afresh each time, so a copy is checked before use';
const ALBUM_ONE_LIFETIME = `${ALBUM_LIFETIME}, and while the cover is pending (it is about to change)`;

/** The OpenAPI 3.1 description of the album API, built from the same schemas the handlers validate with. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Album API',
    version: '1.0.0',
    description:
      'Albums with their metadata and cover images. Covers are uploaded by the client straight to S3 ' +
      `with the presigned POST that album creation returns. Text fields hold at most ${MAX_TEXT_LENGTH} characters. ` +
      'The same albums are served under /cs6650/ in the CS6650 course contract, described at ' +
      '[/docs/cs6650](/docs/cs6650). Reads are open; writes need a signed-in user (a bearer token).',
  },
  paths: {
    '/albums': {
      post: {
        operationId: 'createAlbum',
        summary: 'Create an album and get a presigned upload for its cover',
        ...signedIn,
        requestBody: { required: true, content: jsonRequest('NewAlbum', NewAlbum) },
        responses: {
          '201': {
            description: 'Created; `upload` is a presigned POST for the cover image',
            headers: { Location: { schema: { type: 'string' } } },
            content: jsonContent('CreatedAlbum'),
          },
          ...unauthorized,
          '415': errorResponse('The body is not application/json'),
          ...commonErrors,
        },
      },
      get: {
        operationId: 'listAlbums',
        summary: 'List albums in creation order, oldest or newest first, a page at a time',
        parameters: [...parameters(AlbumListQuery, 'query'), ifNoneMatch],
        responses: {
          '200': cacheableContent('One page', 'AlbumPage', PAGE_LIFETIME),
          '304': notModified(PAGE_LIFETIME),
          ...commonErrors,
        },
      },
    },
    '/albums/{albumId}': {
      get: {
        operationId: 'getAlbum',
        summary: 'Get one album',
        parameters: [...parameters(AlbumPath, 'path'), ifNoneMatch],
        responses: {
          '200': cacheableContent('The album', 'Album', ALBUM_ONE_LIFETIME, {
            'Server-Timing': {
              schema: { type: 'string' },
              description:
                '`album-cache;desc=hit` when the album came from the cache, `…desc=miss` otherwise',
            },
          }),
          '304': notModified(ALBUM_ONE_LIFETIME),
          '404': errorResponse('No album has this id'),
          ...commonErrors,
        },
      },
      patch: {
        operationId: 'updateAlbum',
        summary: "Change an album's artist, title or year (its owner only)",
        description:
          'Any of the fields of a new album, with the same rules, at least one. With `If-Match` set to the ' +
          '`ETag` of `GET /albums/{albumId}`, the change is made only if the album is still as the client read ' +
          'it, and is otherwise refused with 412: the check and the change happen together, so of two edits ' +
          'made from the same version one wins and the other is told. A copy of the album served from the ' +
          'cache may lag a change by up to ALBUM_CACHE_TTL_SECONDS (10 s by default) unless the cache is shared.',
        ...signedIn,
        parameters: [...parameters(AlbumPath, 'path'), ...parameters(AlbumChangeHeaders, 'header')],
        requestBody: { required: true, content: jsonRequest('AlbumChanges', AlbumChanges) },
        responses: {
          '200': {
            description: 'The album as changed',
            headers: { ETag: { schema: { type: 'string' }, description: 'Its new entity tag' } },
            content: jsonContent('Album'),
          },
          ...unauthorized,
          ...notOwner,
          '404': errorResponse('No album has this id'),
          '412': errorResponse('The album changed since the version `If-Match` names; nothing was changed'),
          '415': errorResponse('The body is not application/json'),
          ...commonErrors,
        },
      },
      delete: {
        operationId: 'deleteAlbum',
        summary: 'Delete an album (its owner only)',
        description:
          'Removes the album, its votes, reviews and counts, and every cover uploaded for it. Votes for it ' +
          'still on the queue are dropped.',
        ...signedIn,
        parameters: parameters(AlbumPath, 'path'),
        responses: {
          '204': { description: 'Deleted' },
          ...unauthorized,
          ...notOwner,
          '404': errorResponse('No album has this id'),
          ...commonErrors,
        },
      },
    },
    '/albums/{albumId}/cover': {
      post: {
        operationId: 'replaceCover',
        summary: 'Get a presigned upload that replaces the cover',
        description:
          'The cover shown stays until the new upload has been verified. Each form changes the album at ' +
          'most once: an object sent again with a used form is removed unseen.',
        ...signedIn,
        parameters: [...parameters(AlbumPath, 'path'), ...parameters(CoverUploadQuery, 'query')],
        responses: {
          '201': { description: 'A presigned POST for the new cover', content: jsonContent('CoverUpload') },
          ...unauthorized,
          ...notOwner,
          '404': errorResponse('No album has this id'),
          ...commonErrors,
        },
      },
    },
    '/albums/{albumId}/reviews': {
      post: {
        operationId: 'reviewAlbum',
        summary: "Like or dislike an album: sets the caller's one vote",
        description: `Accepted at once and counted within seconds, also while the queue is unavailable (the vote is then applied directly). ${VOTE_ORDER}`,
        ...signedIn,
        parameters: parameters(AlbumPath, 'path'),
        requestBody: { required: true, content: jsonRequest('NewReview', NewReview) },
        responses: {
          '202': { description: 'Accepted', content: jsonContent('AcceptedVote') },
          ...unauthorized,
          '404': errorResponse('No album has this id'),
          '415': errorResponse('The body is not application/json'),
          ...commonErrors,
          '503': {
            ...commonErrors['503'],
            description:
              'Neither the queue nor the database took the vote in time, though it may still count: send it ' +
              'again after Retry-After (a user has one vote, so it counts once)',
          },
        },
      },
      get: {
        operationId: 'getReviewCounts',
        summary: "An album's like and dislike counts",
        parameters: parameters(AlbumPath, 'path'),
        responses: {
          '200': { description: 'The counts', content: jsonContent('ReviewCounts') },
          '404': errorResponse('No album has this id'),
          ...commonErrors,
        },
      },
    },
    '/albums/{albumId}/reviews/mine': {
      get: {
        operationId: 'getMyVote',
        summary: "The caller's own vote on an album",
        description: `As the consumer has applied it: a vote just sent shows within seconds. ${VOTE_ORDER}`,
        ...signedIn,
        parameters: parameters(AlbumPath, 'path'),
        responses: {
          '200': {
            description: 'Their vote, null when they have none',
            headers: { 'Cache-Control': { schema: { type: 'string' }, description: '`private, no-store`' } },
            content: jsonContent('MyVote'),
          },
          ...unauthorized,
          '404': errorResponse('No album has this id'),
          ...commonErrors,
        },
      },
      delete: {
        operationId: 'withdrawMyVote',
        summary: "Withdraw the caller's vote on an album",
        description: `Accepted at once, through the same queue as votes, and applied within seconds. ${VOTE_ORDER}`,
        ...signedIn,
        parameters: parameters(AlbumPath, 'path'),
        responses: {
          '202': { description: 'Accepted', content: jsonContent('AcceptedVote') },
          ...unauthorized,
          '404': errorResponse('No album has this id'),
          ...commonErrors,
        },
      },
    },
  },
  components: {
    securitySchemes: {
      albumUsers: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "An access or id token of the stage's user pool (locally: `npm run token -- <user>`), checked by API " +
          "Gateway's JWT authorizer: RS256 signature against the issuer's keys, iss, aud or client_id, exp, nbf.",
      },
    },
    schemas: {
      AlbumChanges: plain(AlbumChanges),
      AcceptedVote: plain(AcceptedVote),
      MyVote: plain(MyVote),
      CoverUpload: plain(CoverUpload),
      NewReview: plain(NewReview),
      ReviewCounts: plain(ReviewCounts),
      NewAlbum: plain(NewAlbum),
      Album: plain(Album),
      CreatedAlbum: plain(CreatedAlbum),
      AlbumPage: plain(AlbumPage),
      Error: plain(ErrorBody),
    },
  },
} as const;
