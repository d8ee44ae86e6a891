import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { traced, tracer } from '../../../lib/observability/tracer.js';

describe('traced', () => {
  it('hands back the client untouched where tracing is off (outside Lambda, and on the local stage)', () => {
    expect(tracer.isTracingEnabled()).toBe(false);
    const sqs = new SQSClient({ region: 'us-east-1' });
    const stackBefore = sqs.middlewareStack.identify();
    expect(traced(sqs)).toBe(sqs);
    expect(sqs.middlewareStack.identify()).toEqual(stackBefore);
    sqs.destroy();
  });
});
