import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbum } from '../support/albums.js';
import { jsonAs } from '../support/auth.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { reviewsQueueDrained } from '../support/reviews-queue.js';
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

const vote = (albumId: string, kind: 'like' | 'dislike' = 'like', headers = listener) =>
  fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ kind }),
  });

const timed = async (call: () => Promise<Response>) => {
  const started = Date.now();
  const response = await call();
  return { response, elapsedMs: Date.now() - started };
};

const counts = async (albumId: string) =>
  (await (await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`)).json()) as {
    likes: number;
    dislikes: number;
  };

describe('stalled dependencies', () => {
  it('answer 503 with Retry-After before the function times out; a vote sent again counts once, and a stalled one lands older', async () => {
    const albumId = await newAlbum();
    stack.queueLink?.freeze();
    stack.databaseLink?.freeze();
    try {
      // Both wait out the same stall, so together.
      const [read, stalled] = await Promise.all([
        fetch(`${stack.apiUrl}/albums/${albumId}`),
        vote(albumId, 'like'),
      ]);
      expect(read.status).toBe(503);
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectDocumentedResponse('GET', '/albums/{albumId}', read);
      expect(stalled.status).toBe(503);
      expect(Number(stalled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectDocumentedResponse('POST', '/albums/{albumId}/reviews', stalled);
    } finally {
      stack.queueLink?.restore();
      stack.databaseLink?.restore();
    }

    // The stalled like may still land once its connections thaw, after the listener changed their mind: it
    // was accepted first, so the dislike sent after it stands. Sent twice, the dislike is one vote.
    expect((await vote(albumId, 'dislike')).status).toBe(202);
    expect((await vote(albumId, 'dislike')).status).toBe(202);
    await eventually(
      async () => ((await counts(albumId)).dislikes === 1 ? true : undefined),
      20_000,
      'the dislike to count',
    );
    // The thawed attempt reached the database or the queue as the link opened, before the dislikes were
    // sent: once the queue holds nothing more, whatever it added is in.
    await reviewsQueueDrained(stack, 20_000);
    expect(await counts(albumId)).toEqual({ likes: 0, dislikes: 1 });
  }, 90_000);

  it('a stalled queue: reviews reach the database within REVIEWS_SEND_TIMEOUT_MS and the circuit opens', async () => {
    const albumId = await newAlbum();
    // One vote per listener: each like is another listener's.
    const listeners = await Promise.all(Array.from({ length: 7 }, (_, i) => jsonAs(stack, `stalled-${i}`)));
    stack.queueLink?.freeze();
    try {
      for (const headers of listeners) {
        const { response, elapsedMs } = await timed(() => vote(albumId, 'like', headers));
        expect(response.status).toBe(202);
        expect(elapsedMs).toBeLessThan(SEND_TIMEOUT_MS + SLACK_MS);
      }
      expect(stack.logs.join('\n')).toMatch(/Reviews queue circuit changed state.*"to":"open"/);
    } finally {
      stack.queueLink?.restore();
    }
    // Counted by the fallback, and once only should a held send reach the queue after all.
    expect((await counts(albumId)).likes).toBe(listeners.length);
  }, 90_000);

  it("a stalled database: 503 with Retry-After in the API's shape within DATA_API_TIMEOUT_MS", async () => {
    const albumId = await newAlbum();
    stack.databaseLink?.freeze();
    try {
      // Both wait out the same stall, so together: the course contract's read answers in its own shape.
      const [{ response, elapsedMs }, course] = await Promise.all([
        timed(() => fetch(`${stack.apiUrl}/albums/${albumId}`)),
        fetch(`${stack.apiUrl}/cs6650/albums/1`),
      ]);
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = await expectDocumentedResponse('GET', '/albums/{albumId}', response);
      expect(body).toEqual({ message: `The database did not answer within ${DATABASE_TIMEOUT_MS} ms` });
      expect(elapsedMs).toBeLessThan(DATABASE_TIMEOUT_MS + SLACK_MS);
      expect(course.status).toBe(503);
      expect(await course.json()).toEqual({
        msg: `The database did not answer within ${DATABASE_TIMEOUT_MS} ms`,
      });
    } finally {
      stack.databaseLink?.restore();
    }
  }, 60_000);
});
