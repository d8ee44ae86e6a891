import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { CORRELATION_ID_ATTRIBUTE, parseReviewMessages } from '../../../lib/reviews/messages.js';
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
