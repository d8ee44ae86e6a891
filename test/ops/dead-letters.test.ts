import {
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { RedriveIncompleteError, redriveDeadLetters } from '../../ops/dead-letters.js';

// The local emulator has no message move tasks, so SQS's side of one is played here.
const deadLetterQueue = { url: 'https://sqs.test/1/dlq', arn: 'arn:aws:sqs:us-east-1:1:dlq' };
const sourceQueue = { url: 'https://sqs.test/1/reviews', arn: 'arn:aws:sqs:us-east-1:1:reviews' };

/** An SQS whose move task reports `progress`, one entry per ListMessageMoveTasks call (the last repeats). */
function sqsWithMoveTask(progress: ListMessageMoveTasksResultEntry[]) {
  const started: unknown[] = [];
  let polls = 0;
  const sqs = {
    async send(command: unknown) {
      if (command instanceof StartMessageMoveTaskCommand) {
        started.push(command.input);
        return { TaskHandle: 'task-1' };
      }
      if (command instanceof ListMessageMoveTasksCommand) {
        const entry = progress[Math.min(polls++, progress.length - 1)];
        return { Results: entry ? [entry] : [] };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  } as unknown as SQSClient;
  return { sqs, started };
}

/** A clock that moves only when the redrive sleeps. */
function fakeTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

const redrive = (sqs: SQSClient) =>
  redriveDeadLetters({
    sqs,
    deadLetterQueue,
    sourceQueue,
    method: 'message-move-task',
    timeoutMs: 10_000,
    pollIntervalMs: 1_000,
    ...fakeTime(),
  });

describe('redrive by message move task', () => {
  it('starts a task from the dead-letter queue to the source and waits for it to complete', async () => {
    const { sqs, started } = sqsWithMoveTask([
      { Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 3 },
      { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 7 },
    ]);
    expect(await redrive(sqs)).toEqual({ moved: 7 });
    expect(started).toEqual([{ SourceArn: deadLetterQueue.arn, DestinationArn: sourceQueue.arn }]);
  });

  it('reports a failed task with its reason and what it moved', async () => {
    const { sqs } = sqsWithMoveTask([
      { Status: 'FAILED', FailureReason: 'AccessDenied', ApproximateNumberOfMessagesMoved: 2 },
    ]);
    const error = await redrive(sqs).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedriveIncompleteError);
    expect(error).toMatchObject({ moved: 2, message: 'the message move task ended FAILED: AccessDenied' });
  });

  it('gives up waiting after the timeout, saying the task goes on', async () => {
    const { sqs } = sqsWithMoveTask([{ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 5 }]);
    const error = await redrive(sqs).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedriveIncompleteError);
    expect(error).toMatchObject({ moved: 5, message: expect.stringContaining('still running after 10 s') });
  });
});
