import {
  CourseAlbumCreated,
  CourseAlbumInfo,
  CourseAlbumPath,
  CourseError,
  CourseNewAlbumForm,
  CourseReviewAccepted,
  CourseReviewCounts,
  CourseReviewPath,
} from '../lib/course/contract.js';
import {
  cacheableContent,
  errorResponse,
  ifNoneMatch,
  jsonContent,
  notModified,
  parameters,
  plain,
  ref,
} from './json-schema.js';

const commonErrors = {
  '500': errorResponse('An unexpected error; details are in the logs'),
  '503': {
    ...errorResponse('A dependency is unavailable or did not answer in time; retry after Retry-After'),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
  },
};
// A profile never changes once stored.
const PROFILE_LIFETIME = '`public, max-age=3600`';
const notFound = errorResponse('No album has this id (`{"msg":"Key not found"}`), whatever its shape');

/**
 * The OpenAPI 3.1 description of the CS6650 Album Store contract as served under /cs6650/, built from the
 * same schemas the course routes read and answer with (lib/course/contract.ts).
 */
export const courseOpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'CS6650 Album Store API',
    version: '1.2.0',
    description:
      'The CS6650 course contract (v1.0–1.2) over the same albums, covers and reviews as the album API ' +
      '([/docs](/docs)). Course clients run unchanged against it: the profile comes as JSON or as the ' +
      "generated Java client's text, its `year` is any text and comes back as sent, and an album's id is " +
      'the number its creation answered (`albums/1` is the first album), or its UUID in the album API. ' +
      'Errors are `{"msg": …}`.',
  },
  servers: [{ url: '/cs6650' }],
  paths: {
    '/albums': {
      post: {
        operationId: 'newAlbum',
        summary: 'Store an album: its image becomes the cover, its profile the album',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: ref('NewAlbumForm'),
              encoding: {
                image: { contentType: 'application/octet-stream, image/*' },
                profile: { contentType: 'application/json, text/plain' },
              },
            },
          },
        },
        responses: {
          '200': { description: 'Stored', content: jsonContent('ImageMetaData') },
          '400': errorResponse(
            'Not multipart/form-data, a part missing, empty, sent twice or too large, or a profile that is ' +
              'neither form or has a field missing or malformed',
          ),
          ...commonErrors,
        },
      },
    },
    '/albums/{albumID}': {
      get: {
        operationId: 'getAlbumByKey',
        summary: "An album's profile, every value a string",
        parameters: [...parameters(CourseAlbumPath, 'path'), ifNoneMatch],
        responses: {
          '200': cacheableContent('The profile, the year as it was sent', 'AlbumInfo', PROFILE_LIFETIME),
          '304': notModified(PROFILE_LIFETIME),
          '404': notFound,
          ...commonErrors,
        },
      },
    },
    '/review/{likeornot}/{albumID}': {
      post: {
        operationId: 'review',
        summary: 'Like or dislike an album',
        description: 'Accepted at once and counted exactly once within seconds.',
        parameters: parameters(CourseReviewPath, 'path'),
        responses: {
          '201': { description: 'Accepted', content: jsonContent('ReviewAccepted') },
          '400': errorResponse('`likeornot` is neither `like` nor `dislike`'),
          '404': notFound,
          ...commonErrors,
        },
      },
    },
    '/review/{albumID}': {
      get: {
        operationId: 'getLikes',
        summary: "An album's like and dislike counts, as strings",
        parameters: parameters(CourseAlbumPath, 'path'),
        responses: {
          '200': { description: 'The counts', content: jsonContent('ReviewCounts') },
          '404': notFound,
          ...commonErrors,
        },
      },
    },
  },
  components: {
    schemas: {
      NewAlbumForm: plain(CourseNewAlbumForm),
      ImageMetaData: plain(CourseAlbumCreated),
      AlbumInfo: plain(CourseAlbumInfo),
      ReviewAccepted: plain(CourseReviewAccepted),
      ReviewCounts: plain(CourseReviewCounts),
      Error: plain(CourseError),
    },
  },
} as const;
