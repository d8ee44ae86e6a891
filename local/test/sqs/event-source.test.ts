import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../credentials.js';
import { startSqsEventSource } from '../../sqs/event-source.js';
import { type Queues, startQueues } from '../../sqs/queues.js';

const QUEUE = 'reviews';
const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

async function queueWithSource(
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>,
  options: { reportBatchItemFailures?: boolean } = {},
) {
  // A short visibility timeout, so that what is not deleted comes back within the test.
  const queues = await startQueues({ queues: [{ name: QUEUE, attributes: { VisibilityTimeout: '1' } }] });
  running.push(() => queues.close());
  const source = startSqsEventSource({
    endpoint: queues.url,
    queueUrl: queues.queueUrl(QUEUE),
    queueArn: queues.queueArn(QUEUE),
    batchSize: 10,
    reportBatchItemFailures: options.reportBatchItemFailures,
    invoke,
  });
  running.push(() => source.stop());
  const sqs = new SQSClient({ endpoint: queues.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  running.push(async () => sqs.destroy());
  return { queues, source, sqs };
}

const send = (sqs: SQSClient, queues: Queues, body: string) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: queues.queueUrl(QUEUE),
      MessageBody: body,
      MessageAttributes: {
        origin: { DataType: 'String', StringValue: 'test' },
        signature: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 254, 255]) },
      },
    }),
  );

const until = async (condition: () => boolean, timeoutMs = 8_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('the local SQS event source', () => {
  it('hands messages to the function in Lambda’s record shape, then deletes them', async () => {
    const events: SQSEvent[] = [];
    const { queues, sqs } = await queueWithSource(async (event) => {
      events.push(event);
      return undefined;
    });
    const sent = await send(sqs, queues, '{"kind":"like"}');

    await until(() => events.length > 0);
    const [record] = events[0]?.Records ?? [];
    expect(record).toMatchObject({
      messageId: sent.MessageId,
      body: '{"kind":"like"}',
      md5OfBody: sent.MD5OfMessageBody,
      eventSource: 'aws:sqs',
      eventSourceARN: queues.queueArn(QUEUE),
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        origin: { dataType: 'String', stringValue: 'test', stringListValues: [], binaryListValues: [] },
        signature: { dataType: 'Binary', binaryValue: Buffer.from([0, 1, 254, 255]).toString('base64') },
      },
    });
    expect(record?.receiptHandle).toEqual(expect.any(String));
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the visibility timeout
    expect(events).toHaveLength(1);
  });

  it('leaves the records the function reports as failed for redelivery, and only those', async () => {
    const deliveries: string[] = [];
    const { queues, sqs } = await queueWithSource(
      async (event) => {
        deliveries.push(...event.Records.map((record) => record.body));
        const failed = event.Records.filter(
          (record) => record.body === 'fails once' && record.attributes.ApproximateReceiveCount === '1',
        );
        return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
      },
      { reportBatchItemFailures: true },
    );
    await send(sqs, queues, 'fails once');
    await send(sqs, queues, 'succeeds');

    await until(() => deliveries.filter((body) => body === 'fails once').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(deliveries.filter((body) => body === 'succeeds')).toHaveLength(1);
    expect(deliveries.filter((body) => body === 'fails once')).toHaveLength(2);
  });

  it('stops without waiting out a long poll', async () => {
    const { source } = await queueWithSource(async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a long poll is under way
    const started = Date.now();
    await source.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
