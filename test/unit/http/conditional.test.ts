import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { albumCacheControl } from '../../../lib/http/cache-control.js';
import { conditionalGet, entityTag, matchHolds, noneMatchFails } from '../../../lib/http/conditional.js';
import { json } from '../../../lib/http/responses.js';

describe('entityTag', () => {
  it('is a quoted tag that changes with the body and only with it', () => {
    const tag = entityTag('{"a":1}');
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(entityTag('{"a":1}')).toBe(tag);
    expect(entityTag('{"a":2}')).not.toBe(tag);
  });
});

describe('noneMatchFails', () => {
  const tag = '"abc"';
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x",W/"abc"', true],
    ['*', true],
    [' * ', true],
    ['"x"', false],
    ['"abcd"', false],
    ['abc', false],
    ['', false],
  ])('If-None-Match: %s → %s', (header, fails) => {
    expect(noneMatchFails(header, tag)).toBe(fails);
  });

  it('lets a request without the header through', () => {
    expect(noneMatchFails(undefined, tag)).toBe(false);
  });
});

describe('matchHolds', () => {
  it('lets a change through without the header, with *, or when one listed tag is the current one', () => {
    expect(matchHolds(undefined, '"a"')).toBe(true);
    expect(matchHolds(' * ', '"a"')).toBe(true);
    expect(matchHolds('"b", "a"', '"a"')).toBe(true);
  });

  it('holds a change back for another tag, a weak one (If-Match compares strongly) or an unquoted one', () => {
    expect(matchHolds('"b"', '"a"')).toBe(false);
    expect(matchHolds('W/"a"', '"a"')).toBe(false);
    expect(matchHolds('a', '"a"')).toBe(false);
    expect(matchHolds('', '"a"')).toBe(false);
  });
});

describe('conditionalGet', () => {
  const event = (headers: Record<string, string> = {}) => ({ headers }) as unknown as APIGatewayProxyEventV2;
  const run = (
    response: APIGatewayProxyStructuredResultV2,
    headers: Record<string, string> = {},
  ): Promise<APIGatewayProxyStructuredResultV2> =>
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(async () => response).use(
      conditionalGet({ cacheControl: 'public, max-age=1' }),
    )(event(headers), {} as Context);

  it('gives a 200 its ETag and Cache-Control, keeping a Cache-Control the handler chose', async () => {
    const plain = await run(json(200, { a: 1 }));
    expect(plain.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'public, max-age=1',
      etag: entityTag('{"a":1}'),
    });
    const own = await run(json(200, { a: 1 }, { 'cache-control': 'no-cache' }));
    expect(own.headers?.['cache-control']).toBe('no-cache');
  });

  it('answers 304 without a body when If-None-Match names the tag, with the same ETag and Cache-Control', async () => {
    const tag = entityTag('{"a":1}');
    const response = await run(json(200, { a: 1 }, { 'server-timing': 'album-cache;desc=hit' }), {
      'if-none-match': `"other", W/${tag}`,
    });
    expect(response).toEqual({
      statusCode: 304,
      headers: { 'cache-control': 'public, max-age=1', etag: tag, 'server-timing': 'album-cache;desc=hit' },
      body: '',
    });
  });

  it('answers the whole body when the tag named is not current', async () => {
    const response = await run(json(200, { a: 2 }), { 'if-none-match': entityTag('{"a":1}') });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"a":2}');
  });

  it('leaves other statuses alone', async () => {
    const response = await run(json(404, { message: 'no' }), { 'if-none-match': '*' });
    expect(response).toEqual(json(404, { message: 'no' }));
  });
});

describe('albumCacheControl', () => {
  it('lets a copy live as long as the counts in it may be reused, in whole seconds', () => {
    expect(albumCacheControl(1_000)).toBe('public, max-age=1');
    expect(albumCacheControl(2_500)).toBe('public, max-age=2');
    expect(albumCacheControl(999)).toBe('no-cache');
    expect(albumCacheControl(0)).toBe('no-cache');
  });
});
