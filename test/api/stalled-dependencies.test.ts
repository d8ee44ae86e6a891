import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbum } from '../support/albums.js';
import { jsonAs } from '../support/auth.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let listener: Record<string, string>;

const configured = (name: string) =>
  Number(new RegExp(`${name}:\\s*"(\\d+)"`).exec(readFileSync('serverless.yml', 'utf8'))?.[1]);
const SEND_TIMEOUT_MS = configured('REVIEWS_SEND_TIMEOUT_MS');
const DATABASE_TIMEOUT_MS = configured('DATA_API_TIMEOUT_MS');
/** What a loaded machine may add to a request on top of the time it waits for a dependency. */
const SLACK_MS = 2_500;

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

const timed = async (call: () => Promise<Response>) => {
  const started = Date.now();
  const response = await call();
  return { response, elapsedMs: Date.now() - started };
};

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

  it('a stalled queue: reviews reach the database within REVIEWS_SEND_TIMEOUT_MS and the circuit opens', async () => {
    const albumId = await newAlbum();
    const sent = 7;
    stack.queueLink?.freeze();
    try {
      for (let i = 0; i < sent; i++) {
        const { response, elapsedMs } = await timed(() => like(albumId, `stalled-queue-${randomUUID()}`));
        expect(response.status).toBe(202);
        expect(elapsedMs).toBeLessThan(SEND_TIMEOUT_MS + SLACK_MS);
      }
      expect(stack.logs.join('\n')).toMatch(/Reviews queue circuit changed state.*"to":"open"/);
    } finally {
      stack.queueLink?.restore();
    }
    // Counted by the fallback, and once only should a held send reach the queue after all.
    expect(await likes(albumId)).toBe(sent);
  }, 90_000);

  it("a stalled database: 503 with Retry-After in the API's shape within DATA_API_TIMEOUT_MS", async () => {
    const albumId = await newAlbum();
    stack.databaseLink?.freeze();
    try {
      const { response, elapsedMs } = await timed(() => fetch(`${stack.apiUrl}/albums/${albumId}`));
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = await expectDocumentedResponse('GET', '/albums/{albumId}', response);
      expect(body).toEqual({ message: `The database did not answer within ${DATABASE_TIMEOUT_MS} ms` });
      expect(elapsedMs).toBeLessThan(DATABASE_TIMEOUT_MS + SLACK_MS);

      const course = await fetch(`${stack.apiUrl}/cs6650/albums/1`);
      expect(course.status).toBe(503);
      expect(await course.json()).toEqual({
        msg: `The database did not answer within ${DATABASE_TIMEOUT_MS} ms`,
      });
    } finally {
      stack.databaseLink?.restore();
    }
  }, 60_000);

  it('refuses a malformed idempotency key with 400 naming the header', async () => {
    const albumId = await newAlbum();
    const response = await like(albumId, 'ä'.repeat(3));
    expect(response.status).toBe(400);
    const body = await expectDocumentedResponse('POST', '/albums/{albumId}/reviews', response);
    expect(body.errors.map((error: { field: string }) => error.field)).toEqual(['idempotency-key']);
  });
});
