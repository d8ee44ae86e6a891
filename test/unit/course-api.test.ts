import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseCourseAlbumId, parseLikeOrNot } from '../../lib/course-api.js';
import { ValidationError } from '../../lib/errors.js';

const withPath = (pathParameters: Record<string, string>) =>
  ({ pathParameters }) as unknown as APIGatewayProxyEventV2;
const id = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';

function refusal(parse: () => unknown) {
  try {
    parse();
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('course path parameters', () => {
  it('takes an album id exactly as sent', () => {
    expect(parseCourseAlbumId(withPath({ albumID: id }))).toBe(id);
    for (const albumID of [`${id}\n`, ` ${id}`, `${id} `, `${id}\u0000`, '']) {
      expect(refusal(() => parseCourseAlbumId(withPath({ albumID })))).toMatch(/^Invalid albumID: albumID /);
    }
  });

  it('takes like or dislike, and names both when given anything else', () => {
    expect(parseLikeOrNot(withPath({ likeornot: 'like' }))).toBe('like');
    expect(parseLikeOrNot(withPath({ likeornot: 'dislike' }))).toBe('dislike');
    for (const likeornot of ['LIKE', 'like ', 'like\n', 'likes', '', 'like\u0000']) {
      expect(refusal(() => parseLikeOrNot(withPath({ likeornot })))).toMatch(
        /^Invalid likeornot: likeornot (must be one of like, dislike|must not contain NUL characters)$/,
      );
    }
  });
});
