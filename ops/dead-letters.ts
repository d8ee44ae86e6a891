import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

/** A queue as both halves of SQS's API name it. */
export interface QueueAddress {
  url: string;
  arn: string;
}

/**
 * How messages are moved: by an SQS message move task, or by receiving, sending and deleting them here,
 * for an SQS that has no move tasks (the local emulator).
 */
export type RedriveMethod = 'message-move-task' | 'receive-send-delete';

export interface RedriveOptions {
  sqs: SQSClient;
  deadLetterQueue: QueueAddress;
  /** Where the dead-lettered messages go back to. */
  sourceQueue: QueueAddress;
  method: RedriveMethod;
  /** How long to keep moving (or waiting for the move task) before giving up; default 10 minutes. */
  timeoutMs?: number;
  /** How often a move task's progress is read; default 2 s. */
  pollIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RedriveResult {
  moved: number;
}

/** The redrive stopped before the dead-letter queue was emptied; `moved` messages are back in the source. */
export class RedriveIncompleteError extends Error {
  override readonly name = 'RedriveIncompleteError';
  constructor(
    message: string,
    readonly moved: number,
  ) {
    super(message);
  }
}

const defaults = {
  timeoutMs: 10 * 60_000,
  pollIntervalMs: 2_000,
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

type Settings = Required<RedriveOptions>;

/**
 * Moves every message of a dead-letter queue back to its source queue and says how many it moved. A
 * message redriven twice is harmless to reviews: the ledger counts a review id once.
 *
 * @example
 * const { moved } = await redriveDeadLetters({ sqs, deadLetterQueue, sourceQueue, method: 'message-move-task' });
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  const settings: Settings = { ...defaults, ...options };
  return settings.method === 'message-move-task' ? runMoveTask(settings) : moveByHand(settings);
}

/**
 * The source queue at `sourceQueueUrl` and the dead-letter queue its redrive policy names, as SQS
 * describes them.
 *
 * @example
 * const { sourceQueue, deadLetterQueue } = await redriveQueues(sqs, process.env.REVIEWS_QUEUE_URL);
 */
export async function redriveQueues(
  sqs: SQSClient,
  sourceQueueUrl: string,
): Promise<{ sourceQueue: QueueAddress; deadLetterQueue: QueueAddress }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: sourceQueueUrl,
      AttributeNames: ['QueueArn', 'RedrivePolicy'],
    }),
  );
  if (!Attributes?.QueueArn || !Attributes.RedrivePolicy) {
    throw new Error(`${sourceQueueUrl} has no dead-letter queue`);
  }
  const deadLetterArn = (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn: string })
    .deadLetterTargetArn;
  const [, , , , account, name] = deadLetterArn.split(':');
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
  );
  return {
    sourceQueue: { url: sourceQueueUrl, arn: Attributes.QueueArn },
    deadLetterQueue: { url: QueueUrl ?? '', arn: deadLetterArn },
  };
}

async function runMoveTask(settings: Settings): Promise<RedriveResult> {
  const { sqs, deadLetterQueue, sourceQueue } = settings;
  const deadline = settings.now() + settings.timeoutMs;
  await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueue.arn, DestinationArn: sourceQueue.arn }),
  );
  for (;;) {
    await settings.sleep(settings.pollIntervalMs);
    // A source queue has one move task at a time, so the most recent one is the one just started.
    const { Results } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: deadLetterQueue.arn, MaxResults: 1 }),
    );
    const task = Results?.[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    if (task?.Status === 'COMPLETED') return { moved };
    if (task?.Status !== 'RUNNING') {
      throw new RedriveIncompleteError(
        `the message move task ended ${task?.Status ?? 'unseen'}${task?.FailureReason ? `: ${task.FailureReason}` : ''}`,
        moved,
      );
    }
    if (settings.now() > deadline) {
      throw new RedriveIncompleteError(
        `the message move task is still running after ${settings.timeoutMs / 1000} s (it goes on in SQS)`,
        moved,
      );
    }
  }
}

async function moveByHand(settings: Settings): Promise<RedriveResult> {
  const deadline = settings.now() + settings.timeoutMs;
  // Like a move task, move what is there now: a message that fails again and comes back is not chased round.
  const limit = await visibleMessages(settings.sqs, settings.deadLetterQueue.url);
  let moved = 0;
  while (moved < limit) {
    if (settings.now() > deadline) {
      throw new RedriveIncompleteError(
        `stopped after ${settings.timeoutMs / 1000} s with ${limit - moved} messages left`,
        moved,
      );
    }
    const messages = await receiveBatch(settings, Math.min(10, limit - moved));
    if (messages.length === 0) break;
    moved += await moveBatch(settings, messages, moved);
  }
  return { moved };
}

async function visibleMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

async function receiveBatch(settings: Settings, count: number): Promise<Message[]> {
  const { Messages } = await settings.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: settings.deadLetterQueue.url,
      MaxNumberOfMessages: count,
      MessageAttributeNames: ['All'],
      // Long enough for this batch's send and delete, so no other receiver sees it meanwhile.
      VisibilityTimeout: 60,
      WaitTimeSeconds: 1,
    }),
  );
  return Messages ?? [];
}

/**
 * Sends copies to the source, then deletes the originals that were copied. A message sent but not yet
 * deleted when this stops is moved again by the next redrive: safe for reviews, which the ledger counts
 * once per review id.
 */
async function moveBatch(settings: Settings, messages: Message[], movedBefore: number): Promise<number> {
  const sent = await settings.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: settings.sourceQueue.url,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        MessageBody: message.Body ?? '',
        MessageAttributes: sendableAttributes(message),
      })),
    }),
  );
  const copied = (sent.Successful ?? []).map((entry) => messages[Number(entry.Id)] as Message);
  if (copied.length > 0) {
    await settings.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: settings.deadLetterQueue.url,
        Entries: copied.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
  const refused = sent.Failed?.[0];
  if (refused) {
    throw new RedriveIncompleteError(
      `the source queue refused ${sent.Failed?.length} messages: ${refused.Message ?? refused.Code}`,
      movedBefore + copied.length,
    );
  }
  return copied.length;
}

/** The message's attributes as a send takes them: SQS reserves the list fields and refuses them on a send. */
function sendableAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  if (!message.MessageAttributes) return undefined;
  return Object.fromEntries(
    Object.entries(message.MessageAttributes).map(([name, { DataType, StringValue, BinaryValue }]) => [
      name,
      { DataType, StringValue, BinaryValue },
    ]),
  );
}
