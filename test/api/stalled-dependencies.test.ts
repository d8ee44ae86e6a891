import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbum } from '../support/albums.js';
import { jsonAs } from '../support/auth.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let listener: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack({ interruptibleQueue: true, interruptibleDatabase: true });
  listener = await jsonAs(stack, 'listener');
});

afterAll(async () => {
  stack?.queueLink?.restore();
  stack?.databaseLink?.restore();
  await stack?.stop();
});

const newAlbum = async () => (await createAlbum(stack, 'The Stalled')).albumId;

const like = (albumId: string, idempotencyKey: string) =>
  fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
    method: 'POST',
    headers: { ...listener, 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ kind: 'like' }),
  });

const likes = async (albumId: string) =>
  ((await (await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`)).json()) as { likes: number }).likes;

describe('stalled dependencies', () => {
  it('answer 503 with Retry-After before the function times out; a review sent again with its key counts once', async () => {
    const albumId = await newAlbum();
    const key = `review-${randomUUID()}`;
    stack.queueLink?.freeze();
    stack.databaseLink?.freeze();
    try {
      const read = await fetch(`${stack.apiUrl}/albums/${albumId}`);
      expect(read.status).toBe(503);
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectDocumentedResponse('GET', '/albums/{albumId}', read);

      const review = await like(albumId, key);
      expect(review.status).toBe(503);
      expect(Number(review.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectDocumentedResponse('POST', '/albums/{albumId}/reviews', review);
    } finally {
      stack.queueLink?.restore();
      stack.databaseLink?.restore();
    }

    // The stalled attempt may still land once its connections thaw; the retries name the same review.
    const retried = await like(albumId, key);
    expect(retried.status).toBe(202);
    const { reviewId } = (await retried.json()) as { reviewId: string };
    const again = await like(albumId, key);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { reviewId: string }).reviewId).toBe(reviewId);

    await eventually(
      async () => ((await likes(albumId)) === 1 ? true : undefined),
      20_000,
      'the like to count',
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the thawed attempt and both retries are in
    expect(await likes(albumId)).toBe(1);
  }, 90_000);

  it('refuses a malformed idempotency key with 400 naming the header', async () => {
    const albumId = await newAlbum();
    const response = await like(albumId, 'ä'.repeat(3));
    expect(response.status).toBe(400);
    const body = await expectDocumentedResponse('POST', '/albums/{albumId}/reviews', response);
    expect(body.errors.map((error: { field: string }) => error.field)).toEqual(['idempotency-key']);
  });
});
