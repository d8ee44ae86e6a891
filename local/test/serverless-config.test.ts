import { describe, expect, it } from 'vitest';
import { type ServerlessConfig, s3Triggers, scheduleTriggers } from '../serverless-config.js';

const config = (
  functions: ServerlessConfig['functions'],
  resources: ServerlessConfig['resources']['Resources'] = {},
) =>
  ({
    service: 'album-service',
    params: { local: {} },
    custom: { databaseName: 'albums' },
    functions,
    resources: { Resources: resources },
  }) as ServerlessConfig;

describe('what the local stack reads from serverless.yml', () => {
  it('runs the functions with a rate schedule, as often as the rate says; cron expressions are not run', () => {
    const triggers = scheduleTriggers(
      config({
        sweep: { events: [{ schedule: 'rate(2 minutes)' }] },
        hourly: { events: [{ schedule: { rate: ['rate(1 hour)'] } }] },
        daily: { events: [{ schedule: { rate: 'rate(1 day)' } }] },
        nightly: { events: [{ schedule: 'cron(0 3 * * ? *)' }] },
        api: { events: [{ httpApi: { method: 'GET', path: '/' } }] },
      }),
    );
    expect(triggers).toEqual([
      { functionName: 'album-service-local-sweep', everyMs: 120_000 },
      { functionName: 'album-service-local-hourly', everyMs: 3_600_000 },
      { functionName: 'album-service-local-daily', everyMs: 86_400_000 },
    ]);
  });

  it("gives a bucket notification its function's on-failure queue, when the destination is a declared queue", () => {
    const bucket = (fn: string) => ({
      Type: 'AWS::S3::Bucket',
      Properties: {
        NotificationConfiguration: {
          LambdaConfigurations: [
            { Event: 's3:ObjectCreated:*', Function: { 'Fn::GetAtt': [`${fn}LambdaFunction`, 'Arn'] } },
          ],
        },
      },
    });
    const failures = { 'Fn::GetAtt': ['Failures', 'Arn'] as [string, string] };
    const triggers = s3Triggers(
      config(
        {
          verify: { destinations: { onFailure: { type: 'sqs', arn: failures } } },
          other: { destinations: { onFailure: 'arn:aws:sns:us-east-1:000000000000:elsewhere' } },
        },
        {
          Covers: bucket('Verify'),
          Others: bucket('Other'),
          Failures: { Type: 'AWS::SQS::Queue' },
        },
      ),
    );
    expect(triggers).toEqual([
      {
        functionName: 'album-service-local-verify',
        bucketLogicalId: 'Covers',
        prefix: '',
        onFailureQueueLogicalId: 'Failures',
      },
      { functionName: 'album-service-local-other', bucketLogicalId: 'Others', prefix: '' },
    ]);
  });
});
