import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  CORRELATION_ID_ATTRIBUTE,
  encodeReviewMessage,
  parseReviewMessages,
} from '../../../lib/reviews/messages.js';
import { createReviewQueue } from '../../../lib/reviews/queue.js';

// What the queue is sent and what the consumer reads back, without SQS in between (the stack's test of the
// same, test/api/operability.test.ts, sees it end to end in the logs).
function recordingQueue(correlationId: string | undefined) {
  const sent: SendMessageCommand['input'][] = [];
  const sqs = {
    send: async (command: SendMessageCommand) => sent.push(command.input),
  } as unknown as SQSClient;
  return {
    queue: createReviewQueue({ sqs, queueUrl: 'http://queue', correlationId: () => correlationId }),
    sent,
  };
}

const review = {
  reviewId: '3d5f0a52-6a4b-4e1e-9d43-2a6f6f0b8e11',
  albumId: '9b2e7c1d-4f3a-4c8e-8a1b-5d6e7f809a1b',
  kind: 'like' as const,
};

const asRecord = (input: SendMessageCommand['input']): SQSRecord =>
  ({
    messageId: 'm-1',
    body: input.MessageBody,
    messageAttributes: Object.fromEntries(
      Object.entries(input.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType },
      ]),
    ),
  }) as unknown as SQSRecord;

describe('the reviews queue', () => {
  it('sends each review or vote as one message to the queue, encoded as the consumer reads it', async () => {
    const { queue, sent } = recordingQueue(undefined);
    const vote = {
      messageId: 'b1a1c6f0-1f7e-4a55-9a0e-0a8b9c7d6e5f',
      albumId: review.albumId,
      voter: 'local|ana',
      kind: null,
      acceptedAt: 1_764_100_000_000,
    };
    await queue.publish(review);
    await queue.publish(vote);
    expect(sent.map(({ QueueUrl, MessageBody }) => ({ QueueUrl, MessageBody }))).toEqual([
      { QueueUrl: 'http://queue', MessageBody: encodeReviewMessage(review) },
      { QueueUrl: 'http://queue', MessageBody: encodeReviewMessage(vote) },
    ]);
    expect(parseReviewMessages(sent.slice(1).map(asRecord)).votes).toEqual([{ messageId: 'm-1', vote }]);
  });

  it('fails the send when SQS refuses it, so the intake can take its fallback', async () => {
    const sqs = {
      send: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    } as unknown as SQSClient;
    const queue = createReviewQueue({ sqs, queueUrl: 'http://queue' });
    await expect(queue.publish(review)).rejects.toThrow('connect ECONNREFUSED');
  });
});

describe("a review's correlation id through the queue", () => {
  it('is sent as a message attribute and read back with the review', async () => {
    const { queue, sent } = recordingQueue('req-42');
    await queue.publish(review);
    expect(sent[0]?.MessageAttributes).toEqual({
      [CORRELATION_ID_ATTRIBUTE]: { DataType: 'String', StringValue: 'req-42' },
    });
    expect(parseReviewMessages(sent.map(asRecord)).reviews).toEqual([
      { messageId: 'm-1', review, correlationId: 'req-42' },
    ]);
  });

  it('is left out when the request has none, and the review still reads', async () => {
    const { queue, sent } = recordingQueue(undefined);
    await queue.publish(review);
    expect(sent[0]?.MessageAttributes).toBeUndefined();
    expect(parseReviewMessages(sent.map(asRecord)).reviews).toEqual([{ messageId: 'm-1', review }]);
  });
});
