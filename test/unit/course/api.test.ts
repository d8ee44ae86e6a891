import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseCourseAlbumRef, parseLikeOrNot } from '../../../lib/course/api.js';
import { NotFoundError, ValidationError } from '../../../lib/errors.js';

const withPath = (pathParameters: Record<string, string>) =>
  ({ pathParameters }) as unknown as APIGatewayProxyEventV2;
const id = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';

function refusal(parse: () => unknown) {
  try {
    parse();
  } catch (error) {
    if (error instanceof ValidationError || error instanceof NotFoundError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('course path parameters', () => {
  it('takes a course id (a sequence number) or a UUID, exactly as sent', () => {
    expect(parseCourseAlbumRef(withPath({ albumID: '1' }))).toEqual({ seq: 1 });
    expect(parseCourseAlbumRef(withPath({ albumID: '900719925474099' }))).toEqual({ seq: 900719925474099 });
    expect(parseCourseAlbumRef(withPath({ albumID: id }))).toEqual({ albumId: id });
  });

  it('finds no album for an id of any other shape', () => {
    for (const albumID of [
      `${id}\n`,
      ` ${id}`,
      `${id}\u0000`,
      '',
      '0',
      '01',
      '-1',
      '1 ',
      '+1',
      '1.0',
      '1e3',
      '9007199254740993',
      'abc',
    ]) {
      const error = refusal(() => parseCourseAlbumRef(withPath({ albumID })));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe('Key not found');
    }
  });

  it('takes like or dislike, and names both when given anything else', () => {
    expect(parseLikeOrNot(withPath({ likeornot: 'like' }))).toBe('like');
    expect(parseLikeOrNot(withPath({ likeornot: 'dislike' }))).toBe('dislike');
    for (const likeornot of ['LIKE', 'like ', 'like\n', 'likes', '', 'like\u0000']) {
      const error = refusal(() => parseLikeOrNot(withPath({ likeornot })));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toMatch(
        /^Invalid likeornot: likeornot (must be one of like, dislike|must not contain NUL characters)$/,
      );
    }
  });
});
