import type { LocalStack } from '@album-service/local';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually } from './stack.js';

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
  const sqs = new SQSClient({
    endpoint: stack.sqsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await eventually(
      async () => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: stack.environment.REVIEWS_QUEUE_URL,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        const queued =
          Number(Attributes?.ApproximateNumberOfMessages) +
          Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
        return queued === 0 ? true : undefined;
      },
      timeoutMs,
      'the reviews queue to drain',
    );
  } finally {
    sqs.destroy();
  }
}
