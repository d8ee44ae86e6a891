import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbum } from '../support/albums.js';
import { jsonAs } from '../support/auth.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { reviewsQueueDrained } from '../support/reviews-queue.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let sqs: SQSClient;
let listener: Record<string, string>;

/** How long the reviews-queue circuit stays open here: a second rather than npm start's five. */
const BREAKER_OPEN_MS = 1_000;

beforeAll(async () => {
  // A short visibility timeout lets failed messages come back, and reach the dead-letter queue, within the test.
  stack = await startTestStack({
    interruptibleQueue: true,
    queueVisibilityTimeoutSeconds: 1,
    settings: { BREAKER_OPEN_MS: String(BREAKER_OPEN_MS) },
  });
  listener = await jsonAs(stack, 'listener');
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

const newAlbum = async () => (await createAlbum(stack, 'The Reviewed')).albumId;

const review = (albumId: string, body: unknown = { kind: 'like' }, headers = listener) =>
  fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });

/**
 * An anonymous review, as the course contract takes them (each accepted one counts once), through the same
 * queue, breaker and consumer as votes: what the tests of the pipeline's exactly-once send.
 */
const anonymousReview = (albumId: string, kind: 'like' | 'dislike' = 'like') =>
  fetch(`${stack.apiUrl}/cs6650/review/${kind}/${albumId}`, { method: 'POST' });

async function counts(albumId: string): Promise<{ likes: number; dislikes: number }> {
  const response = await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`);
  expect(response.status).toBe(200);
  return expectDocumentedResponse('GET', '/albums/{albumId}/reviews', response);
}

const countsReach = (albumId: string, expected: { likes: number; dislikes: number }) =>
  eventually(
    async () => {
      const current = await counts(albumId);
      return current.likes === expected.likes && current.dislikes === expected.dislikes ? current : undefined;
    },
    30_000,
    `counts of ${albumId} to reach ${JSON.stringify(expected)}`,
  );

const circuitTransitions = () =>
  stack.logs.flatMap((line) => {
    const match =
      /"message":"Reviews queue circuit changed state".*?"from":"([a-z-]+)","to":"([a-z-]+)"/.exec(line);
    return match ? [`${match[1]}->${match[2]}`] : [];
  });

describe('reviews', () => {
  it('accepts likes and dislikes with 202 and counts them, one vote per listener', async () => {
    const albumId = await newAlbum();
    const accepted = await Promise.all([
      review(albumId, { kind: 'like' }, await jsonAs(stack, 'ana')),
      review(albumId, { kind: 'like' }, await jsonAs(stack, 'bo')),
      review(albumId, { kind: 'dislike' }, await jsonAs(stack, 'cy')),
    ]);
    for (const response of accepted) {
      expect(response.status).toBe(202);
      await expectDocumentedResponse('POST', '/albums/{albumId}/reviews', response);
    }
    await countsReach(albumId, { likes: 2, dislikes: 1 });

    const album = await fetch(`${stack.apiUrl}/albums/${albumId}`);
    expect((await expectDocumentedResponse('GET', '/albums/{albumId}', album)).reviews).toEqual({
      likes: 2,
      dislikes: 1,
    });
  });

  it('answers 404 for an unknown album and 400 for a malformed review', async () => {
    const unknown = await review(randomUUID());
    expect(unknown.status).toBe(404);
    await expectDocumentedResponse('POST', '/albums/{albumId}/reviews', unknown);

    const albumId = await newAlbum();
    for (const [body, field] of [
      [{ kind: 'love' }, 'kind'],
      [{}, 'kind'],
      [{ kind: 'like', stars: 5 }, 'stars'],
    ] as const) {
      const response = await review(albumId, body);
      expect(response.status).toBe(400);
      const error = await expectDocumentedResponse('POST', '/albums/{albumId}/reviews', response);
      expect(error.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const badId = await review('123');
    expect(badId.status).toBe(400);
    expect((await counts(albumId)).likes).toBe(0);
  });

  it('counts a message delivered twice once', async () => {
    const albumId = await newAlbum();
    const message = JSON.stringify({ reviewId: randomUUID(), albumId, kind: 'dislike' });
    const entries = [0, 1, 2].map((i) => ({ Id: `copy${i}`, MessageBody: message }));
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: stack.environment.REVIEWS_QUEUE_URL, Entries: entries }),
    );
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: stack.environment.REVIEWS_QUEUE_URL, Entries: entries }),
    );
    await countsReach(albumId, { likes: 0, dislikes: 1 });
    await reviewsQueueDrained(stack);
    expect(await counts(albumId)).toEqual({ likes: 0, dislikes: 1 });
  });

  it('reports only the malformed records of a batch as failed, and applies the rest', async () => {
    const albumId = await newAlbum();
    const record = (messageId: string, body: string) =>
      ({ messageId, body, receiptHandle: messageId, eventSource: 'aws:sqs' }) as SQSEvent['Records'][number];
    const event: SQSEvent = {
      Records: [
        record('good-1', JSON.stringify({ reviewId: randomUUID(), albumId, kind: 'like' })),
        record('not-json', '{"reviewId":'),
        record('good-2', JSON.stringify({ reviewId: randomUUID(), albumId, kind: 'like' })),
        record('bad-kind', JSON.stringify({ reviewId: randomUUID(), albumId, kind: 'meh' })),
      ],
    };
    const lambda = new LambdaClient({
      endpoint: stack.lambdaUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'album-service-local-applyReviews', Payload: JSON.stringify(event) }),
    );
    lambda.destroy();
    const result = JSON.parse(Buffer.from(output.Payload ?? new Uint8Array()).toString()) as SQSBatchResponse;
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'bad-kind',
      'not-json',
    ]);
    expect(await counts(albumId)).toEqual({ likes: 2, dislikes: 0 });
  });

  it('moves a message that keeps failing to the dead-letter queue', async () => {
    const deadLetterUrl = stack.queueUrls.ReviewsDeadLetterQueue ?? '';
    const depth = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: deadLetterUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    };
    const before = await depth();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.environment.REVIEWS_QUEUE_URL,
        Entries: [{ Id: 'poison', MessageBody: 'this is not a review' }],
      }),
    );
    await eventually(
      async () => ((await depth()) > before ? true : undefined),
      30_000,
      'the dead-letter queue',
    );
  });

  it('keeps accepting while the queue is away, fails fast through the open circuit, and closes once it is back', async () => {
    const albumId = await newAlbum();
    stack.queueLink?.cut();
    const whileCut = [];
    for (let i = 0; i < 12; i++)
      whileCut.push(await anonymousReview(albumId, i % 3 === 0 ? 'dislike' : 'like'));
    expect(whileCut.map((response) => response.status)).toEqual(new Array(12).fill(201));
    expect(circuitTransitions()).toContain('closed->open');
    // Counted without the queue: these went to the database directly.
    expect(await counts(albumId)).toEqual({ likes: 8, dislikes: 4 });

    stack.queueLink?.restore();
    await new Promise((resolve) => setTimeout(resolve, BREAKER_OPEN_MS + 100)); // the circuit's open period
    for (let i = 0; i < 4; i++) expect((await anonymousReview(albumId)).status).toBe(201);
    expect(circuitTransitions()).toEqual(expect.arrayContaining(['open->half-open', 'half-open->closed']));
    await countsReach(albumId, { likes: 12, dislikes: 4 });
  });

  it('counts exactly the accepted reviews of a few thousand, with the queue cut and duplicates mixed in', async () => {
    const albums = await Promise.all([newAlbum(), newAlbum(), newAlbum(), newAlbum()]);
    const expected = new Map(albums.map((id) => [id, { likes: 0, dislikes: 0 }]));
    const total = 2_000;
    const concurrency = 16;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < total; i = next++) {
        if (i === Math.floor(total / 4)) stack.queueLink?.cut();
        if (i === Math.floor(total / 2)) stack.queueLink?.restore();
        const albumId = albums[i % albums.length] as string;
        const kind = i % 5 === 0 ? 'dislike' : 'like';
        const response = await anonymousReview(albumId, kind);
        const tally = expected.get(albumId) as { likes: number; dislikes: number };
        if (response.status === 201) {
          tally[kind === 'like' ? 'likes' : 'dislikes']++;
        } else {
          expect(response.status).toBe(503);
        }
        // Every tenth time, a review straight onto the queue, delivered twice as SQS may: it counts once.
        if (i % 10 === 0) {
          const message = JSON.stringify({ reviewId: randomUUID(), albumId, kind });
          const sent = await sqs
            .send(
              new SendMessageBatchCommand({
                QueueUrl: stack.environment.REVIEWS_QUEUE_URL,
                Entries: [
                  { Id: 'once', MessageBody: message },
                  { Id: 'again', MessageBody: message },
                ],
              }),
            )
            .catch(() => undefined);
          if (sent?.Successful?.length) tally[kind === 'like' ? 'likes' : 'dislikes']++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    stack.queueLink?.restore();
    const accepted = [...expected.values()].reduce((sum, t) => sum + t.likes + t.dislikes, 0);
    // The database stayed up, so nothing needed refusing; the test's own messages come on top.
    expect(accepted).toBe(total + total / 10);
    for (const [albumId, tally] of expected) await countsReach(albumId, tally);
  }, 240_000);
});
