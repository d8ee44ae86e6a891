import type { LocalStack } from '@album-service/local';
import { LOCAL_CREDENTIALS } from '@album-service/local/credentials';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually } from './stack.js';

/** The messages a queue holds, waiting or being processed. */
export async function messagesHeld(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

/**
 * Waits until the reviews queue holds no message, waiting or being processed: from then on every review
 * accepted so far has been counted, so counts compared now are final.
 *
 * @example
 * await reviewsQueueDrained(stack);
 * expect(await snapshot()).toEqual(before);
 */
export async function reviewsQueueDrained(
  stack: Pick<LocalStack, 'sqsUrl' | 'environment'>,
  timeoutMs = 30_000,
): Promise<void> {
  const sqs = new SQSClient({ endpoint: stack.sqsUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    await eventually(
      async () =>
        (await messagesHeld(sqs, stack.environment.REVIEWS_QUEUE_URL ?? '')) === 0 ? true : undefined,
      timeoutMs,
      'the reviews queue to drain',
    );
  } finally {
    sqs.destroy();
  }
}
