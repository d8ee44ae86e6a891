import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { writeEndpoints } from '@album-service/local/endpoints';
import { freePort } from '@album-service/local/ports';
import { localQueueArn } from '@album-service/local/sqs';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueueAddress, redriveDeadLetters, redriveQueues } from '../../ops/dead-letters.js';
import { createAlbum } from '../support/albums.js';
import { messagesHeld } from '../support/reviews-queue.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const projectRoot = resolve(import.meta.dirname, '../..');
let stack: TestStack;
let sqs: SQSClient;
let deadLetterQueue: QueueAddress;
let reviewsQueue: QueueAddress;
const folders: string[] = [];

const address = (url: string): QueueAddress => ({ url, arn: localQueueArn(url.split('/').at(-1) ?? '') });

beforeAll(async () => {
  stack = await startTestStack();
  sqs = new SQSClient({
    endpoint: stack.sqsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  deadLetterQueue = address(stack.queueUrls.ReviewsDeadLetterQueue ?? '');
  reviewsQueue = address(stack.queueUrls.ReviewsQueue ?? '');
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

const newAlbum = async () => (await createAlbum(stack, 'The Redriven')).albumId;

/** A review's message as the API puts it on the reviews queue. */
const reviewMessage = (albumId: string, kind: 'like' | 'dislike', reviewId = randomUUID()) =>
  JSON.stringify({ reviewId, albumId, kind });

async function deadLetter(entries: Array<Omit<SendMessageBatchRequestEntry, 'Id'>>): Promise<void> {
  const { Failed } = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: deadLetterQueue.url,
      Entries: entries.map((entry, index) => ({ ...entry, Id: String(index) })),
    }),
  );
  expect(Failed ?? []).toEqual([]);
}

async function counts(albumId: string): Promise<{ likes: number; dislikes: number }> {
  const response = await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`);
  expect(response.status).toBe(200);
  return (await response.json()) as { likes: number; dislikes: number };
}

/**
 * Waits for the counts to reach `expected`, then checks that a straggling copy does not add to them: once the
 * reviews queue holds nothing, waiting or being applied, every copy has been applied.
 */
async function expectCounted(albumId: string, expected: { likes: number; dislikes: number }): Promise<void> {
  await eventually(
    async () => {
      const current = await counts(albumId);
      return current.likes === expected.likes && current.dislikes === expected.dislikes ? current : undefined;
    },
    30_000,
    `counts of ${albumId} to reach ${JSON.stringify(expected)}`,
  );
  await eventually(
    async () => ((await messagesHeld(sqs, reviewsQueue.url)) === 0 ? true : undefined),
    30_000,
    'the reviews queue to drain',
  );
  expect(await counts(albumId)).toEqual(expected);
}

const runCli = (env: Record<string, string>, args: string[] = []) =>
  promisify(execFile)('npm', ['run', '--silent', 'redrive', '--', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
  });

/** How the command ended when it failed. */
const failureOf = (running: ReturnType<typeof runCli>) =>
  running.then(
    () => undefined,
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

/** A data folder where this stack's endpoints are published, as npm start publishes them. */
async function publishedStack(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'album-redrive-'));
  folders.push(folder);
  await writeEndpoints(folder, { ...stack, auth: stack.auth.issuer });
  return folder;
}

describe('redrive', () => {
  it('moves dead-lettered reviews back to the reviews queue, where each review id counts once', async () => {
    const albumId = await newAlbum();
    const twice = reviewMessage(albumId, 'like');
    await deadLetter([
      { MessageBody: twice },
      { MessageBody: reviewMessage(albumId, 'like') },
      { MessageBody: reviewMessage(albumId, 'dislike') },
      { MessageBody: twice },
    ]);
    expect(await counts(albumId)).toEqual({ likes: 0, dislikes: 0 });

    const result = await redriveDeadLetters({
      sqs,
      deadLetterQueue,
      sourceQueue: reviewsQueue,
      method: 'receive-send-delete',
    });

    expect(result).toEqual({ moved: 4 });
    expect(await messagesHeld(sqs, deadLetterQueue.url)).toBe(0);
    await expectCounted(albumId, { likes: 2, dislikes: 1 });
  });

  it('keeps each message body and its attributes', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `redriven-${randomUUID()}` }));
    const inspected = address(QueueUrl ?? '');
    const body = reviewMessage(randomUUID(), 'dislike');
    await deadLetter([
      { MessageBody: body, MessageAttributes: { origin: { DataType: 'String', StringValue: 'web' } } },
    ]);

    expect(
      await redriveDeadLetters({
        sqs,
        deadLetterQueue,
        sourceQueue: inspected,
        method: 'receive-send-delete',
      }),
    ).toEqual({ moved: 1 });

    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: inspected.url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages?.map(({ Body, MessageAttributes }) => ({ Body, MessageAttributes }))).toEqual([
      { Body: body, MessageAttributes: { origin: { DataType: 'String', StringValue: 'web' } } },
    ]);
    expect(await messagesHeld(sqs, deadLetterQueue.url)).toBe(0);
  });

  it('moves nothing from an empty dead-letter queue, and succeeds', async () => {
    expect(await messagesHeld(sqs, deadLetterQueue.url)).toBe(0);
    expect(
      await redriveDeadLetters({
        sqs,
        deadLetterQueue,
        sourceQueue: reviewsQueue,
        method: 'receive-send-delete',
      }),
    ).toEqual({ moved: 0 });
  });

  it('npm run redrive moves them on the local stack and says how many', async () => {
    const albumId = await newAlbum();
    const twice = reviewMessage(albumId, 'dislike');
    await deadLetter([
      { MessageBody: twice },
      { MessageBody: reviewMessage(albumId, 'like') },
      { MessageBody: twice },
    ]);

    // Found through the endpoints the stack publishes, on its own ports.
    const { stdout } = await runCli({ LOCAL_DATA_DIR: await publishedStack() });

    expect(stdout.trim()).toBe('Moved 3 messages from album-reviews-dlq-local back to album-reviews-local');
    expect(await messagesHeld(sqs, deadLetterQueue.url)).toBe(0);
    // Found through SQS_ENDPOINT too, with nothing left to move, while the consumer applies the moved ones.
    const [again] = await Promise.all([
      runCli({ SQS_ENDPOINT: stack.sqsUrl }),
      expectCounted(albumId, { likes: 1, dislikes: 1 }),
    ]);
    expect(again.stdout).toMatch(/^Moved 0 messages /);
  });

  it('finds the dead-letter queue of a source queue through its redrive policy', async () => {
    expect(await redriveQueues(sqs, reviewsQueue.url)).toMatchObject({
      sourceQueue: reviewsQueue,
      deadLetterQueue: { arn: deadLetterQueue.arn },
    });
  });

  // Each runs the command on its own, with no stack to work on: all at once.
  describe.concurrent('without a stack to work on', () => {
    it('npm run redrive says in one line that the local stack is not running', async ({ expect }) => {
      const empty = await mkdtemp(join(tmpdir(), 'album-no-stack-'));
      folders.push(empty);
      const failure = await failureOf(runCli({ LOCAL_DATA_DIR: empty }));
      expect(failure?.code).toBe(1);
      expect(failure?.stderr.trim()).toMatch(
        /^Redrive failed: the local stack is not running \(no .*endpoints\.json\): start it with npm start$/,
      );
    });

    it('npm run redrive -- --help shows the usage; an unknown option is one line, exit 2', async ({
      expect,
    }) => {
      const [{ stdout }, failure] = await Promise.all([
        runCli({}, ['--help']),
        failureOf(runCli({}, ['--stgae', 'prod'])),
      ]);
      expect(stdout).toMatch(/^usage: npm run redrive \[-- --stage <name> \[--region <region>\]\]\n/);
      expect(failure?.code).toBe(2);
      expect(failure?.stderr.trim()).toBe(
        "Unknown option '--stgae'; npm run redrive -- --help shows the usage",
      );
    });

    it('npm run redrive fails with one line when SQS is not there', async ({ expect }) => {
      const nowhere = `http://127.0.0.1:${await freePort()}`;
      const failure = await failureOf(runCli({ SQS_ENDPOINT: nowhere }));
      expect(failure?.code).toBe(1);
      expect(failure?.stderr.trim()).toMatch(/^Redrive failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    });
  });
});
