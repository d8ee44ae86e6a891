import {
  AcceptedReview,
  Album,
  AlbumListQuery,
  AlbumPage,
  AlbumPath,
  CoverUpload,
  CoverUploadQuery,
  CreatedAlbum,
  ErrorBody,
  MAX_TEXT_LENGTH,
  NewAlbum,
  NewReview,
  ReviewCounts,
  ReviewHeaders,
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
        summary: 'List albums in creation order, a page at a time',
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
          '404': errorResponse('No album has this id'),
          ...commonErrors,
        },
      },
    },
    '/albums/{albumId}/reviews': {
      post: {
        operationId: 'reviewAlbum',
        summary: 'Like or dislike an album',
        description:
          'Accepted at once and counted within seconds. Each accepted review is counted exactly once, even when ' +
          'the queue is unavailable (it is then applied directly).',
        ...signedIn,
        parameters: [...parameters(AlbumPath, 'path'), ...parameters(ReviewHeaders, 'header')],
        requestBody: { required: true, content: jsonRequest('NewReview', NewReview) },
        responses: {
          '202': { description: 'Accepted', content: jsonContent('AcceptedReview') },
          ...unauthorized,
          '404': errorResponse('No album has this id'),
          '415': errorResponse('The body is not application/json'),
          ...commonErrors,
          '503': {
            ...commonErrors['503'],
            description:
              'Neither the queue nor the database took the review in time, though it may still be counted: ' +
              'send it again after Retry-After with the same Idempotency-Key header, and it is counted once',
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
      CoverUpload: plain(CoverUpload),
      NewReview: plain(NewReview),
      AcceptedReview: plain(AcceptedReview),
      ReviewCounts: plain(ReviewCounts),
      NewAlbum: plain(NewAlbum),
      Album: plain(Album),
      CreatedAlbum: plain(CreatedAlbum),
      AlbumPage: plain(AlbumPage),
      Error: plain(ErrorBody),
    },
  },
} as const;
