import type { DataApiStats } from '@album-service/local/data-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Album } from '../../lib/schemas.js';
import { createAlbum } from '../support/albums.js';
import { signedInAs } from '../support/auth.js';
import { coverJudged, type Upload, uploadCover } from '../support/covers.js';
import { gif, png } from '../support/images.js';
import { expectCourseResponse, expectDocumentedResponse } from '../support/openapi.js';
import { CLOSED_REDIS_URL, redisAnswers, redisTestUrl } from '../support/redis.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Every call the stack's Data API endpoint has received so far. */
async function dataApiCalls(stack: TestStack): Promise<number> {
  const stats = (await (await fetch(`${stack.dataApiUrl}/__stats`)).json()) as DataApiStats;
  return Object.values(stats).reduce((sum, count) => sum + count, 0);
}

/** An album whose cover has been verified, and the upload that made it. */
async function albumWithCover(stack: TestStack): Promise<{ albumId: string; upload: Upload }> {
  const { albumId, upload } = await createAlbum(stack, 'Cache');
  expect((await uploadCover(upload, png(20, 10))).status).toBe(204);
  await coverJudged(stack.apiUrl, albumId, upload.key);
  return { albumId, upload };
}

/** Replaces the album's cover with a GIF and resolves once GET /albums/{albumId} shows it, with how long that took. */
async function replaceCover(stack: TestStack, albumId: string): Promise<{ album: Album; ms: number }> {
  const replacement = (await (
    await fetch(`${stack.apiUrl}/albums/${albumId}/cover`, {
      method: 'POST',
      headers: await signedInAs(stack),
    })
  ).json()) as Upload;
  expect((await uploadCover(replacement, gif(30, 15), 'image/gif')).status).toBe(204);
  const started = performance.now();
  const album = await coverJudged(stack.apiUrl, albumId, replacement.key);
  return { album, ms: performance.now() - started };
}

const getAlbum = (stack: TestStack, albumId: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.apiUrl}/albums/${albumId}`, { headers });

/** GETs a new album with a cover twice; the second answer, which must be a hit that made no Data API call. */
async function repeatedGet(stack: TestStack): Promise<Response> {
  const { albumId } = await albumWithCover(stack);
  await getAlbum(stack, albumId);
  const before = await dataApiCalls(stack);
  const response = await getAlbum(stack, albumId);
  expect(await dataApiCalls(stack)).toBe(before);
  // The function's own timing, then the local front's `function;dur=`.
  expect(response.headers.get('server-timing')).toMatch(
    /^album-cache;desc=hit, db;dur=[\d.]+, queue;dur=0\.0, function;dur=/,
  );
  return response;
}

describe('the album cache in each container’s memory', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      settings: { REDIS_URL: '', ALBUM_CACHE_TTL_SECONDS: '2', ALBUM_COUNTS_TTL_MS: '3000' },
    });
  });
  afterAll(() => stack?.stop());

  it('answers a repeated GET from the cache, without a Data API call', async () => {
    const response = await repeatedGet(stack);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=3');
    const album = await expectDocumentedResponse('GET', '/albums/{albumId}', response);
    expect(album.cover).toMatchObject({ status: 'ready', width: 20, height: 10 });
  });

  it('answers 304 without a body to a client holding the current ETag, as the document says', async () => {
    const { albumId } = await albumWithCover(stack);
    const first = await getAlbum(stack, albumId);
    const tag = first.headers.get('etag') as string;
    expect(tag).toMatch(/^"[\w-]+"$/);
    for (const condition of [tag, `W/${tag}`, `"stale", ${tag}`, '*']) {
      const response = await getAlbum(stack, albumId, { 'if-none-match': condition });
      expect(response.status, condition).toBe(304);
      expect(response.headers.get('etag')).toBe(tag);
      expect(response.headers.get('cache-control')).toBe('public, max-age=3');
      await expectDocumentedResponse('GET', '/albums/{albumId}', response);
    }
    const changed = await getAlbum(stack, albumId, { 'if-none-match': '"stale"' });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe(await first.text());
  });

  it('keeps the cover URL, and so the ETag, the same from one request to the next', async () => {
    const { albumId } = await albumWithCover(stack);
    const [a, b] = [await getAlbum(stack, albumId), await getAlbum(stack, albumId)];
    const [first, second] = [(await a.json()) as Album, (await b.json()) as Album];
    // A minute boundary between the two changes both, legitimately.
    if (first.cover.url === second.cover.url) expect(a.headers.get('etag')).toBe(b.headers.get('etag'));
    expect(new URL(first.cover.url as string).searchParams.get('X-Amz-Date')).toMatch(/^\d{8}T\d{4}00Z$/);
  });

  it('keeps no album whose cover is pending, and tells clients to check it again', async () => {
    const { albumId } = await createAlbum(stack, 'Cache');
    for (let i = 0; i < 2; i++) {
      const response = await getAlbum(stack, albumId);
      // The function's own timing, then the local front's `function;dur=`.
      expect(response.headers.get('server-timing')).toMatch(
        /^album-cache;desc=miss, db;dur=[\d.]+, queue;dur=0\.0, function;dur=/,
      );
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('shows a replaced cover once the TTL has passed at the latest', async () => {
    const { albumId } = await albumWithCover(stack);
    await getAlbum(stack, albumId); // now in the cache
    const { album } = await replaceCover(stack, albumId);
    expect(album.cover).toMatchObject({ status: 'ready', contentType: 'image/gif', width: 30, height: 15 });
  });

  it('gives pages of albums and course profiles an ETag too, and 304s', async () => {
    const { albumId } = await albumWithCover(stack);
    const page = await fetch(`${stack.apiUrl}/albums?artist=Cache&limit=2`);
    expect(page.headers.get('cache-control')).toBe('no-cache'); // read afresh: checked before use
    await expectDocumentedResponse('GET', '/albums', page);
    const notModified = await fetch(`${stack.apiUrl}/albums?artist=Cache&limit=2`, {
      headers: { 'if-none-match': page.headers.get('etag') as string },
    });
    expect(notModified.status).toBe(304);
    await expectDocumentedResponse('GET', '/albums', notModified);

    const profile = await fetch(`${stack.apiUrl}/cs6650/albums/${albumId}`);
    expect(profile.headers.get('cache-control')).toBe('public, max-age=3600');
    await expectCourseResponse('GET', '/albums/{albumID}', profile);
    const sameProfile = await fetch(`${stack.apiUrl}/cs6650/albums/${albumId}`, {
      headers: { 'if-none-match': profile.headers.get('etag') as string },
    });
    expect(sameProfile.status).toBe(304);
    await expectCourseResponse('GET', '/albums/{albumID}', sameProfile);
  });
});

describe.skipIf(!(await redisAnswers()))('the album cache on Redis', () => {
  let stack: TestStack;
  // TTLs far longer than the test: whatever shows a change, it is not the entry expiring; and a repeated GET
  // on a busy machine, more than the default second after the first, does not read the counts again.
  beforeAll(async () => {
    stack = await startTestStack({
      settings: { REDIS_URL: redisTestUrl, ALBUM_CACHE_TTL_SECONDS: '600', ALBUM_COUNTS_TTL_MS: '60000' },
    });
  });
  afterAll(() => stack?.stop());

  it('answers a repeated GET from the cache, without a Data API call', async () => {
    expect((await repeatedGet(stack)).status).toBe(200);
  });

  it('shows a replaced cover as soon as it is verified: the verifier removes the entry', async () => {
    const { albumId } = await albumWithCover(stack);
    expect((await getAlbum(stack, albumId)).status).toBe(200);
    const { album, ms } = await replaceCover(stack, albumId);
    expect(album.cover).toMatchObject({ status: 'ready', contentType: 'image/gif' });
    expect(ms).toBeLessThan(20_000);
  });
});

describe('the album cache out of reach', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ settings: { REDIS_URL: CLOSED_REDIS_URL } });
  });
  afterAll(() => stack?.stop());

  it('reads the database instead: every GET answers 200, promptly', async () => {
    const { albumId } = await albumWithCover(stack);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const response = await getAlbum(stack, albumId);
      expect(response.status).toBe(200);
      // The function's own timing, then the local front's `function;dur=`.
      expect(response.headers.get('server-timing')).toMatch(
        /^album-cache;desc=miss, db;dur=[\d.]+, queue;dur=0\.0, function;dur=/,
      );
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    expect(stack.logs.join('\n')).toContain('Cache unavailable; reading the database');
  });
});
