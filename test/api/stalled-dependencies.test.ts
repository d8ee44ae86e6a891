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

const vote = (albumId: string, kind: 'like' | 'dislike' = 'like') =>
  fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
    method: 'POST',
    headers: listener,
    body: JSON.stringify({ kind }),
  });

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
      const read = await fetch(`${stack.apiUrl}/albums/${albumId}`);
      expect(read.status).toBe(503);
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectDocumentedResponse('GET', '/albums/{albumId}', read);

      const stalled = await vote(albumId, 'like');
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
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the thawed attempt and both votes are in
    expect(await counts(albumId)).toEqual({ likes: 0, dislikes: 1 });
  }, 90_000);
});
