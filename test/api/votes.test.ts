import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcceptedVote, MyVote, ReviewCounts, ReviewKind } from '../../lib/schemas.js';
import { createAlbum } from '../support/albums.js';
import { jsonAs, signedInAs, tokenFor } from '../support/auth.js';
import { FUZZ_SEED, seededRandom } from '../support/fuzz-seed.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { reviewsQueueDrained } from '../support/reviews-queue.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let sqs: SQSClient;

beforeAll(async () => {
  // The queue can be cut, so some votes take the breaker's direct-to-database fallback while older ones wait.
  stack = await startTestStack({ interruptibleQueue: true });
  sqs = new SQSClient({
    endpoint: stack.sqsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

const reviewsUrl = (albumId: string) => `${stack.apiUrl}/albums/${albumId}/reviews`;

/** Sends a user's vote (`null` withdraws it) as the page does, and returns what the API accepted. */
async function vote(albumId: string, user: string, kind: ReviewKind | null): Promise<AcceptedVote> {
  const response =
    kind === null
      ? await fetch(`${reviewsUrl(albumId)}/mine`, {
          method: 'DELETE',
          headers: await signedInAs(stack, user),
        })
      : await fetch(reviewsUrl(albumId), {
          method: 'POST',
          headers: await jsonAs(stack, user),
          body: JSON.stringify({ kind }),
        });
  expect(response.status).toBe(202);
  return (await response.json()) as AcceptedVote;
}

async function counts(albumId: string): Promise<ReviewCounts> {
  const response = await fetch(reviewsUrl(albumId));
  expect(response.status).toBe(200);
  return (await response.json()) as ReviewCounts;
}

async function mine(albumId: string, user: string): Promise<MyVote['vote']> {
  const response = await fetch(`${reviewsUrl(albumId)}/mine`, { headers: await signedInAs(stack, user) });
  expect(response.status).toBe(200);
  return ((await expectDocumentedResponse('GET', '/albums/{albumId}/reviews/mine', response)) as MyVote).vote;
}

/** The `sub` of a local user, as votes record it. */
async function subOf(user: string): Promise<string> {
  const [, payload] = (await tokenFor(stack, user)).split('.');
  return (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { sub: string }).sub;
}

describe('one vote per listener', () => {
  it('counts a like, then the dislike that replaces it, then nothing once withdrawn; the user sees their own vote', async () => {
    const { albumId } = await createAlbum(stack, 'Voted', 'ana');
    const accepted = await vote(albumId, 'cy', 'like');
    expect(accepted).toMatchObject({ albumId, vote: 'like' });
    await eventually(async () => ((await mine(albumId, 'cy')) === 'like' ? true : undefined));
    expect(await counts(albumId)).toEqual({ likes: 1, dislikes: 0 });
    // Liking again is the same one vote.
    await vote(albumId, 'cy', 'like');
    await vote(albumId, 'cy', 'dislike');
    await eventually(async () => ((await mine(albumId, 'cy')) === 'dislike' ? true : undefined));
    expect(await counts(albumId)).toEqual({ likes: 0, dislikes: 1 });
    expect(await mine(albumId, 'dee')).toBeNull();

    const withdrawn = await fetch(`${reviewsUrl(albumId)}/mine`, {
      method: 'DELETE',
      headers: await signedInAs(stack, 'cy'),
    });
    expect(withdrawn.status).toBe(202);
    expect(
      await expectDocumentedResponse('DELETE', '/albums/{albumId}/reviews/mine', withdrawn),
    ).toMatchObject({
      vote: null,
    });
    await eventually(async () => ((await mine(albumId, 'cy')) === null ? true : undefined));
    expect(await counts(albumId)).toEqual({ likes: 0, dislikes: 0 });
  });

  it('answers 404 for a vote on a missing album, and 400 for a malformed one', async () => {
    const missing = randomUUID();
    const response = await fetch(reviewsUrl(missing), {
      method: 'POST',
      headers: await jsonAs(stack, 'cy'),
      body: JSON.stringify({ kind: 'like' }),
    });
    expect(response.status).toBe(404);
    expect(
      (await fetch(`${reviewsUrl(missing)}/mine`, { headers: await signedInAs(stack, 'cy') })).status,
    ).toBe(404);
    const { albumId } = await createAlbum(stack, 'Voted', 'ana');
    const malformed = await fetch(reviewsUrl(albumId), {
      method: 'POST',
      headers: await jsonAs(stack, 'cy'),
      body: JSON.stringify({ kind: 'love' }),
    });
    expect(malformed.status).toBe(400);
  });

  it('16 users voting, switching and withdrawing at once, with duplicated and reordered messages injected: counts equal the last votes', async () => {
    const next = seededRandom(FUZZ_SEED);
    const users = Array.from({ length: 16 }, (_, n) => `listener-${n}`);
    const subs = new Map(await Promise.all(users.map(async (user) => [user, await subOf(user)] as const)));
    const albumIds = await Promise.all(
      [1, 2, 3].map(async () => (await createAlbum(stack, 'Contested', 'ana')).albumId),
    );
    const kinds: Array<ReviewKind | null> = ['like', 'dislike', null];
    const rounds = 6;
    const total = users.length * rounds;
    // Each user's votes are drawn up front, so the seed decides them whatever order the answers come in.
    const plans = users.map(() =>
      Array.from({ length: rounds }, () => ({
        albumId: albumIds[Math.floor(next() * albumIds.length)] as string,
        kind: kinds[Math.floor(next() * kinds.length)] ?? null,
      })),
    );
    const sent: Array<{ voter: string; accepted: AcceptedVote }> = [];
    const last = new Map<string, ReviewKind | null>();
    // Each user acts in order (a vote waits for the previous one's 202); all users act at once. During the
    // middle third the queue is cut, so those votes take the breaker's fallback straight to the database
    // while older ones may still wait on the queue.
    const started = Date.now();
    await Promise.all(
      users.map(async (user, u) => {
        for (const { albumId, kind } of plans[u] ?? []) {
          const accepted = await vote(albumId, user, kind);
          sent.push({ voter: subs.get(user) as string, accepted });
          last.set(`${albumId} ${user}`, kind);
          if (sent.length === Math.floor(total / 3)) stack.queueLink?.cut();
          if (sent.length === Math.floor((2 * total) / 3)) stack.queueLink?.restore();
        }
      }),
    );
    stack.queueLink?.restore();
    const sending = Date.now() - started;

    // What SQS may do on its own, injected: every accepted vote delivered once more, newest first (so the
    // oldest arrive last), a third of them twice, in batches of ten straight onto the queue.
    const injected = [...sent].reverse().flatMap((one) => (next() < 0.3 ? [one, one] : [one]));
    for (let i = 0; i < injected.length; i += 10) {
      const { Failed } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: stack.environment.REVIEWS_QUEUE_URL,
          Entries: injected.slice(i, i + 10).map(({ voter, accepted }, n) => ({
            Id: String(n),
            MessageBody: JSON.stringify({
              messageId: accepted.messageId,
              albumId: accepted.albumId,
              voter,
              vote: accepted.vote,
              acceptedAt: Date.parse(accepted.acceptedAt),
            }),
          })),
        }),
      );
      expect(Failed ?? []).toEqual([]);
    }

    const expected = new Map<string, ReviewCounts>();
    for (const albumId of albumIds) {
      const finals = users.map((user) => last.get(`${albumId} ${user}`) ?? null);
      expected.set(albumId, {
        likes: finals.filter((kind) => kind === 'like').length,
        dislikes: finals.filter((kind) => kind === 'dislike').length,
      });
    }
    // Once the queue has drained, nothing is left to change the counts: they must equal the last votes.
    await reviewsQueueDrained(stack, 90_000);
    const settled = Date.now() - started;
    for (const albumId of albumIds) expect(await counts(albumId)).toEqual(expected.get(albumId));
    for (const user of users) {
      for (const albumId of albumIds) {
        expect(await mine(albumId, user), `${user} on ${albumId}`).toBe(
          last.get(`${albumId} ${user}`) ?? null,
        );
      }
    }
    // Votes applied straight to the database, one warning each (told apart by their request id).
    const fallbacks = new Set(
      stack.logs
        .filter((line) => line.includes('Review queue unavailable'))
        .map((line) => /"function_request_id":"([^"]+)"/.exec(line)?.[1] ?? line),
    ).size;
    console.info(
      `votes concurrency (seed ${FUZZ_SEED}): ${users.length} users, ${sent.length} votes on ${albumIds.length} ` +
        `albums in ${sending} ms, ${fallbacks} through the fallback, ${injected.length} duplicate and late ` +
        `messages injected, settled in ${settled} ms; final counts ` +
        JSON.stringify(albumIds.map((albumId) => expected.get(albumId))),
    );
  }, 240_000);
});
