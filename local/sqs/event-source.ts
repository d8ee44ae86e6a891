import { Agent } from 'node:http';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { postJson } from '../post-json.js';

export interface SqsEventSourceOptions {
  /** The SQS endpoint the queue is on (the emulator's URL). */
  endpoint: string;
  queueUrl: string;
  queueArn: string;
  /** Largest batch handed to one invocation (Lambda: 1–10,000; SQS gives at most 10 per receive). */
  batchSize: number;
  /** How long to keep gathering a batch once the first message is in. */
  maximumBatchingWindowSeconds?: number;
  /** With ReportBatchItemFailures, only the records the function lists as failed are left for redelivery. */
  reportBatchItemFailures?: boolean;
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | undefined | null>;
  log?: (line: string) => void;
}

/** A message as ReceiveMessage returns it in SQS's JSON protocol (binary values in base64). */
interface ReceivedMessage {
  MessageId?: string;
  ReceiptHandle?: string;
  MD5OfBody?: string;
  Body?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, ReceivedAttribute>;
}

interface ReceivedAttribute {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

/**
 * Delivers a queue's messages to a function the way Lambda's SQS event source mapping does: long-polled
 * batches in the real event shape; on success the batch is deleted, except the records the function
 * reports as failed; on an error nothing is deleted. What is not deleted reappears after the visibility
 * timeout, and the queue's redrive policy moves it to the dead-letter queue after maxReceiveCount.
 *
 * @example
 * const source = startSqsEventSource({
 *   endpoint: queues.url, queueUrl, queueArn, batchSize: 10, invoke: (event) => handler(event),
 * });
 * await source.stop();
 */
export function startSqsEventSource(options: SqsEventSourceOptions): { stop(): Promise<void> } {
  const log = options.log ?? (() => undefined);
  const abort = new AbortController();
  const windowMs = (options.maximumBatchingWindowSeconds ?? 0) * 1000;
  const sqs = sqsJsonClient(options.endpoint);

  // Stopping ends a long poll at once; a delete under way still completes.
  async function receive(max: number, waitSeconds: number): Promise<ReceivedMessage[]> {
    const { Messages = [] } = (await sqs.call(
      'ReceiveMessage',
      {
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      },
      abort.signal,
    )) as { Messages?: ReceivedMessage[] };
    return Messages;
  }

  async function gatherBatch(): Promise<ReceivedMessage[]> {
    const batch = await receive(options.batchSize, 5);
    const deadline = Date.now() + windowMs;
    while (batch.length > 0 && batch.length < options.batchSize && Date.now() < deadline) {
      const more = await receive(options.batchSize - batch.length, 0);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      batch.push(...more);
    }
    return batch;
  }

  async function deliver(batch: ReceivedMessage[]): Promise<void> {
    const records = batch.map((message) => toRecord(message, options.queueArn));
    let failedIds: Set<string>;
    try {
      const response = await options.invoke({ Records: records });
      failedIds = options.reportBatchItemFailures ? failuresOf(response, records) : new Set();
    } catch (error) {
      log(`SQS event source: invocation failed, the batch of ${batch.length} will be redelivered: ${error}`);
      return;
    }
    const done = batch.filter((message) => !failedIds.has(message.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      await sqs.call('DeleteMessageBatch', {
        QueueUrl: options.queueUrl,
        Entries: done.slice(i, i + 10).map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      });
    }
  }

  const running = (async () => {
    while (!abort.signal.aborted) {
      try {
        const batch = await gatherBatch();
        if (batch.length > 0) await deliver(batch);
      } catch (error) {
        if (abort.signal.aborted) break;
        log(`SQS event source: ${error}`);
        await new Promise((resolve) => setTimeout(resolve, 500)); // the queue is away; try again shortly
      }
    }
  })();

  return {
    async stop() {
      abort.abort();
      await running;
      sqs.close();
    },
  };
}

/**
 * The ids the function reported as failed. Like Lambda, a response that is not a valid batch response,
 * or that names a record not in the batch, fails the whole batch.
 */
function failuresOf(response: SQSBatchResponse | undefined | null, records: SQSRecord[]): Set<string> {
  if (response === undefined || response === null) return new Set();
  const all = new Set(records.map((record) => record.messageId));
  const failures = response.batchItemFailures;
  if (!Array.isArray(failures)) return all;
  const failed = new Set(failures.map((failure) => failure?.itemIdentifier));
  for (const id of failed) if (typeof id !== 'string' || !all.has(id)) return all;
  return failed as Set<string>;
}

function toRecord(message: ReceivedMessage, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'LOCAL',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

function toLambdaAttributes(attributes: Record<string, ReceivedAttribute>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        stringValue: value.StringValue,
        binaryValue: value.BinaryValue,
        stringListValues: value.StringListValues ?? [],
        binaryListValues: value.BinaryListValues ?? [],
        dataType: value.DataType ?? 'String',
      },
    ]),
  );
}

/**
 * SQS actions in its JSON protocol over plain HTTP: the emulator checks no signature, and the SDK client's
 * middleware and signing cost the stack's process more than the emulator's own work on each receive and
 * delete. An answer other than 200 becomes a thrown error naming SQS's error type; aborting `signal` ends
 * the request in flight.
 */
function sqsJsonClient(endpoint: string) {
  const agent = new Agent({ keepAlive: true });
  const { hostname, port } = new URL(endpoint);
  const call = async (action: string, input: unknown, signal?: AbortSignal) => {
    const answer = await postJson(
      {
        agent,
        host: hostname,
        port,
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
        signal,
      },
      input,
    );
    // A body that is not JSON fails the call too.
    const parsed =
      answer.body.length > 0 ? (JSON.parse(answer.body.toString()) as Record<string, unknown>) : {};
    if (answer.status !== 200) {
      throw new Error(`${action} failed (${answer.status}): ${parsed.__type} ${parsed.message}`);
    }
    return parsed;
  };
  return { call, close: () => agent.destroy() };
}
