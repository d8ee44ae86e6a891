import { Tracer } from '@aws-lambda-powertools/tracer';
import { serviceName } from './logger.js';

/**
 * The container's X-Ray tracer (Powertools). Off where POWERTOOLS_TRACE_ENABLED is false (the local stage,
 * which has no X-Ray daemon) and outside Lambda; then everything here passes through untouched.
 */
export const tracer = new Tracer({ serviceName });

/**
 * An AWS SDK v3 client whose calls show as subsegments of the invocation's trace, and whose requests
 * carry the trace header (so SQS hands it on to the consumer's trace).
 *
 * @example
 * const sqs = traced(new SQSClient({}));
 */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
