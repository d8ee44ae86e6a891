import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_API_FAILURE } from '../../lib/db/database.js';
import { type Json, packageStage, type Resource, type Template } from '../support/package-template.js';

let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  ({ template } = await packageStage(['--param=alarmEmail=ops@example.com']));
  resources = template.Resources;
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const alarmNamed = (id: string) => {
  const alarm = resources[id];
  expect(alarm?.Type, id).toBe('AWS::CloudWatch::Alarm');
  return (alarm as Resource).Properties;
};
const functionIds = () => ofType('AWS::Lambda::Function').map(([id]) => id.replace(/LambdaFunction$/, ''));

describe('the alarms of the deployable template', () => {
  it('sends every alarm, firing and clearing, to one topic that the alarmEmail param subscribes to', () => {
    expect(resources.AlarmTopic?.Type).toBe('AWS::SNS::Topic');
    expect(resources.AlarmEmailSubscription?.Properties).toEqual({
      TopicArn: { Ref: 'AlarmTopic' },
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(5 + 2 * functionIds().length);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.AlarmDescription, id).toContain('docs/operations.md');
    }
    expect(template.Outputs.AlarmTopicArn?.Value).toEqual({ Ref: 'AlarmTopic' });
  });

  it('fires on any review in the dead-letter queue', () => {
    expect(alarmNamed('ReviewsDeadLetterAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ReviewsDeadLetterQueue', 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('fires when the oldest review in the queue is older than a minute', () => {
    expect(alarmNamed('ReviewsQueueAgeAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ReviewsQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 60,
    });
  });

  it('fires when the reviews queue circuit opens, on the metric the breaker emits', () => {
    expect(alarmNamed('ReviewsQueueCircuitOpenAlarm')).toMatchObject({
      Namespace: 'AlbumService',
      MetricName: 'ReviewsQueueCircuit_open',
      Dimensions: [{ Name: 'service', Value: 'album-service' }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });

  it('fires when more than 1 % of the API requests answer 5xx over 5 minutes', () => {
    const alarm = alarmNamed('HttpApi5xxRateAlarm');
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 1 });
    const metrics: Json[] = alarm.Metrics;
    const stat = (id: string) => metrics.find((metric) => metric.Id === id)?.MetricStat;
    for (const [id, name] of [
      ['serverErrors', '5xx'],
      ['requests', 'Count'],
    ]) {
      expect(stat(id as string)).toEqual({
        Metric: {
          Namespace: 'AWS/ApiGateway',
          MetricName: name,
          Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
        },
        Period: 300,
        Stat: 'Sum',
      });
    }
    const [rate, ...others] = metrics.filter((metric) => metric.ReturnData);
    expect(others).toEqual([]);
    expect(rate.Expression).toContain('100 * serverErrors / requests');
  });

  it('fires on errors and on throttles of every function', () => {
    for (const id of functionIds()) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarmNamed(`${id}${metric}Alarm`), `${id} ${metric}`).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${id}LambdaFunction` } }],
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
        });
      }
    }
  });

  it('counts the Data API calls that failed for good in every function that calls it, and alarms on them', () => {
    const filtered = ofType('AWS::Logs::MetricFilter')
      .filter(([, filter]) => filter.Properties.MetricTransformations[0].MetricName === 'DataApiErrors')
      .map(([, filter]) => {
        expect(filter.Properties.FilterPattern).toBe(`{ $.message = "${DATA_API_FAILURE}" }`);
        return filter.Properties.LogGroupName.Ref.replace(/LogGroup$/, '');
      });
    const withDatabase = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment.Variables.DB_SECRET_ARN)
      .map(([id]) => id.replace(/LambdaFunction$/, ''));
    expect(withDatabase.length).toBeGreaterThan(0);
    expect(filtered.sort()).toEqual(withDatabase.sort());
    expect(alarmNamed('DataApiErrorsAlarm')).toMatchObject({
      Namespace: 'AlbumService',
      MetricName: 'DataApiErrors',
      Statistic: 'Sum',
    });
  });
});

describe('the dashboard of the deployable template', () => {
  it('shows the request rate, latency percentiles, the queue, the breaker and the counts applied', () => {
    const [[, dashboard], ...others] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    expect(others).toEqual([]);
    const pieces: Json[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
    // The references filled in with a placeholder each, the body must be JSON CloudWatch can read.
    const body = JSON.parse(pieces.map((piece) => (typeof piece === 'string' ? piece : 'ref')).join(''));
    const metrics = body.widgets.flatMap((widget: Json) =>
      widget.properties.metrics.map((metric: Json[]) => {
        const options = metric.at(-1);
        return `${metric[0]} ${metric[1]}${typeof options === 'object' ? ` ${options.stat}` : ''}`;
      }),
    );
    expect(metrics).toEqual(
      expect.arrayContaining([
        'AWS/ApiGateway Count Sum',
        'AWS/ApiGateway Latency p50',
        'AWS/ApiGateway Latency p99',
        'AWS/SQS ApproximateNumberOfMessagesVisible Maximum',
        'AWS/SQS ApproximateAgeOfOldestMessage Maximum',
        'AlbumService ReviewsQueueCircuit_open Sum',
        'AlbumService ReviewsApplied Sum',
      ]),
    );
    expect(pieces).toContainEqual({ Ref: 'HttpApi' });
    expect(pieces).toContainEqual({ 'Fn::GetAtt': ['ReviewsQueue', 'QueueName'] });
    const applied = resources.ReviewsAppliedFilter?.Properties;
    expect(applied?.LogGroupName).toEqual({ Ref: 'ApplyReviewsLogGroup' });
    expect(applied?.MetricTransformations[0]).toMatchObject({
      MetricName: 'ReviewsApplied',
      MetricValue: '$.applied',
    });
  });
});

describe('the throttles of the deployable template', () => {
  it('throttles every route of the HTTP API stage, and the routes that create albums and covers lower', () => {
    const stage = resources.HttpApiStage as Resource & { DependsOn: string[] };
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 1000,
      ThrottlingBurstLimit: 500,
    });
    const routeKeys = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route').map(([id, route]) => [route.Properties.RouteKey, id]),
    );
    const throttled = Object.entries(stage.Properties.RouteSettings as Record<string, Json>);
    expect(throttled.map(([key]) => key).sort()).toEqual([
      'POST /albums',
      'POST /albums/{albumId}/cover',
      'POST /cs6650/albums',
    ]);
    for (const [key, settings] of throttled) {
      expect(settings, key).toEqual({ ThrottlingRateLimit: 250, ThrottlingBurstLimit: 125 });
      // The stage takes settings only for routes that exist already.
      expect(routeKeys[key], key).toBeDefined();
      expect(stage.DependsOn, key).toContain(routeKeys[key]);
    }
  });

  it('reserves the reviews consumer a concurrency of its own, and its queue hands it no more batches', () => {
    const consumer = resources.ApplyReviewsLambdaFunction as Resource;
    const reserved = consumer.Properties.ReservedConcurrentExecutions;
    expect(reserved).toBeGreaterThanOrEqual(2);
    expect(reserved).toBeLessThanOrEqual(20);
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: reserved });
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      if (id !== 'ApplyReviewsLambdaFunction')
        expect(fn.Properties.ReservedConcurrentExecutions, id).toBeUndefined();
    }
  });
});

describe('the traces of the deployable template', () => {
  it('traces every function actively, through the Powertools tracer, with leave to send the traces', () => {
    const functions = ofType('AWS::Lambda::Function');
    const policy = resources.TraceWritesPolicy as Resource;
    expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      },
    ]);
    const grantedRoles = policy.Properties.Roles.map((role: Json) => role.Ref);
    for (const [id, fn] of functions) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED, id).toBe('true');
      expect(grantedRoles, id).toContain(fn.Properties.Role['Fn::GetAtt'][0]);
      // A function traced before its role may send traces would lose them.
      expect((fn as Resource & { DependsOn: string[] }).DependsOn, id).toContain('TraceWritesPolicy');
    }
  });
});
