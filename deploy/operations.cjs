'use strict';

/**
 * What whoever runs the service on AWS watches (docs/operations.md): an SNS topic the alarms notify
 * (custom.operations.alarmEmail subscribes an address), the alarms, the metric filters some of them read,
 * and one dashboard. A plugin rather than YAML because two alarms and a filter are wanted per function,
 * and CloudWatch alarms on metric math take at most 10 metrics: one per function stays exact as
 * functions are added. Hooks packaging only; serverless-offline never runs it.
 */

/** The namespace of the service's own metrics: EMF ones (lib/observability/metrics.ts) and filtered ones. */
const NAMESPACE = 'AlbumService';
/** Powertools adds the service as a dimension to every EMF metric. */
const SERVICE_DIMENSION = [{ Name: 'service', Value: 'album-service' }];
/** What lib/db/database.ts logs when a Data API call fails for good (retries over, or not retryable). */
const DATA_API_FAILURE_MESSAGE = 'Data API call failed';
/** What functions/applyReviews.ts logs per batch, with the count of reviews newly applied in `applied`. */
const APPLIED_BATCH_MESSAGE = 'Applied review batch';

const queueName = (queueId) => ({ 'Fn::GetAtt': [queueId, 'QueueName'] });

/** A CloudWatch alarm notifying the topic when it fires and when it clears. */
function alarm(description, properties) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: `${description} (docs/operations.md)`,
      ActionsEnabled: true,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
      TreatMissingData: 'notBreaching',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ...properties,
    },
  };
}

/** The resources that do not depend on the functions' list. */
function serviceAlarms() {
  return {
    ReviewsDeadLetterAlarm: alarm('A review reached the dead-letter queue: run npm run redrive once fixed', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueName('ReviewsDeadLetterQueue') }],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    }),
    ReviewsQueueAgeAlarm: alarm('The oldest review waiting in the queue is older than a minute', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueName('ReviewsQueue') }],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 60,
    }),
    ReviewsQueueCircuitOpenAlarm: alarm(
      'The reviews queue circuit breaker opened: reviews are applied directly to the database',
      {
        Namespace: NAMESPACE,
        MetricName: 'ReviewsQueueCircuit_open',
        Dimensions: SERVICE_DIMENSION,
        Statistic: 'Sum',
        Period: 60,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      },
    ),
    HttpApi5xxRateAlarm: alarm('More than 1 % of the HTTP API requests answered 5xx over 5 minutes', {
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      Metrics: [
        apiMetric('serverErrors', '5xx'),
        apiMetric('requests', 'Count'),
        {
          Id: 'serverErrorRate',
          Label: '5xx, % of requests',
          // Under 20 requests in 5 minutes a single failure is not a rate worth paging for.
          Expression: 'IF(requests >= 20, 100 * serverErrors / requests, 0)',
          ReturnData: true,
        },
      ],
    }),
    DataApiErrorsAlarm: alarm(
      'Data API calls failed for good: 5 or more in 5 minutes, past the retries of lib/db/database.ts',
      {
        Namespace: NAMESPACE,
        MetricName: 'DataApiErrors',
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 5,
      },
    ),
  };
}

function apiMetric(id, metricName) {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApiGateway',
        MetricName: metricName,
        Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
      },
      Period: 300,
      Stat: 'Sum',
    },
  };
}

/** Per function: an alarm on its errors and one on its throttles, and the Data API failure filter. */
function functionResources({ id, logGroupId, usesDatabase }) {
  const lambdaAlarm = (metricName, description) =>
    alarm(description, {
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${id}LambdaFunction` } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  return {
    [`${id}ErrorsAlarm`]: lambdaAlarm(
      'Errors',
      `${id} failed an invocation (an uncaught error or a timeout)`,
    ),
    [`${id}ThrottlesAlarm`]: lambdaAlarm('Throttles', `${id} was throttled: concurrency ran out`),
    ...(usesDatabase && {
      [`${id}DataApiErrorsFilter`]: logMetricFilter(
        logGroupId,
        `{ $.message = "${DATA_API_FAILURE_MESSAGE}" }`,
        {
          MetricName: 'DataApiErrors',
          MetricValue: '1',
        },
      ),
    }),
  };
}

function logMetricFilter(logGroupId, pattern, transformation) {
  return {
    Type: 'AWS::Logs::MetricFilter',
    Properties: {
      LogGroupName: { Ref: logGroupId },
      FilterPattern: pattern,
      MetricTransformations: [{ MetricNamespace: NAMESPACE, Unit: 'Count', ...transformation }],
    },
  };
}

/**
 * The dashboard's body: JSON in which the stack's own names (region, API id, queues, functions) are
 * CloudFormation references, so it is joined from pieces rather than substituted (no `${}` for the
 * Serverless variable resolver to trip on).
 */
function dashboardBody() {
  const refs = [];
  const ref = (expression) => `@@${refs.push(expression) - 1}@@`;
  const region = ref({ Ref: 'AWS::Region' });
  const api = ['ApiId', ref({ Ref: 'HttpApi' })];
  const queue = ['QueueName', ref(queueName('ReviewsQueue'))];
  const deadLetters = ['QueueName', ref(queueName('ReviewsDeadLetterQueue'))];
  const consumer = ['FunctionName', ref({ Ref: 'ApplyReviewsLambdaFunction' })];
  const widget = (x, y, title, metrics, extra = {}) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', stacked: false, period: 60, metrics, ...extra },
  });
  const body = {
    widgets: [
      widget(0, 0, 'Requests per minute', [
        ['AWS/ApiGateway', 'Count', ...api, { stat: 'Sum', label: 'requests' }],
        ['AWS/ApiGateway', '4xx', ...api, { stat: 'Sum', label: '4xx' }],
        ['AWS/ApiGateway', '5xx', ...api, { stat: 'Sum', label: '5xx' }],
      ]),
      widget(12, 0, 'API latency (ms)', [
        ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p50', label: 'p50' }],
        ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p90', label: 'p90' }],
        ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p99', label: 'p99' }],
      ]),
      widget(0, 6, 'Reviews queue depth', [
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', ...queue, { stat: 'Maximum', label: 'waiting' }],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesNotVisible',
          ...queue,
          { stat: 'Maximum', label: 'in flight' },
        ],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          ...deadLetters,
          { stat: 'Maximum', label: 'dead letters' },
        ],
      ]),
      widget(12, 6, 'Reviews queue: oldest message (s)', [
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', ...queue, { stat: 'Maximum', label: 'oldest' }],
      ]),
      widget(0, 12, 'Reviews queue circuit breaker (transitions per minute)', [
        [NAMESPACE, 'ReviewsQueueCircuit_open', 'service', 'album-service', { stat: 'Sum', label: 'opened' }],
        [
          NAMESPACE,
          'ReviewsQueueCircuit_half-open',
          'service',
          'album-service',
          { stat: 'Sum', label: 'half-open' },
        ],
        [
          NAMESPACE,
          'ReviewsQueueCircuit_closed',
          'service',
          'album-service',
          { stat: 'Sum', label: 'closed' },
        ],
        [
          NAMESPACE,
          'ReviewsAppliedDirectly',
          'service',
          'album-service',
          { stat: 'Sum', label: 'applied directly' },
        ],
      ]),
      widget(12, 12, 'Reviews applied per minute', [
        [NAMESPACE, 'ReviewsApplied', { stat: 'Sum', label: 'counts applied' }],
        ['AWS/Lambda', 'Invocations', ...consumer, { stat: 'Sum', label: 'consumer batches' }],
        [NAMESPACE, 'DataApiErrors', { stat: 'Sum', label: 'Data API errors' }],
      ]),
    ],
  };
  const pieces = JSON.stringify(body).split(/@@(\d+)@@/);
  return {
    'Fn::Join': ['', pieces.map((piece, index) => (index % 2 === 0 ? piece : refs[Number(piece)]))],
  };
}

/**
 * Every operations resource for the given functions and settings.
 *
 * @param {{ functions: { id: string, logGroupId: string, usesDatabase: boolean }[], alarmEmail: string }} options
 */
function operationsResources({ functions, alarmEmail }) {
  return {
    AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'album-service alarms' } },
    ...(alarmEmail && {
      AlarmEmailSubscription: {
        Type: 'AWS::SNS::Subscription',
        Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: alarmEmail },
      },
    }),
    ...serviceAlarms(),
    ...Object.assign({}, ...functions.map(functionResources)),
    ReviewsAppliedFilter: logMetricFilter(
      'ApplyReviewsLogGroup',
      `{ $.message = "${APPLIED_BATCH_MESSAGE}" }`,
      {
        MetricName: 'ReviewsApplied',
        MetricValue: '$.applied',
      },
    ),
    OperationsDashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: { DashboardBody: dashboardBody() },
    },
  };
}

/**
 * Lets every function's role send its traces (the functions run on roles of their own, to which the
 * framework adds nothing), and has each function wait for that grant.
 */
function grantTraceWrites(resources, functions) {
  const roleIds = new Set(
    functions
      .map(({ id }) => resources[`${id}LambdaFunction`].Properties.Role?.['Fn::GetAtt']?.[0])
      .filter(Boolean),
  );
  resources.TraceWritesPolicy = {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: 'Sends the functions traces to X-Ray',
      Roles: [...roleIds].map((roleId) => ({ Ref: roleId })),
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            // Neither action takes a resource narrower than "*" (X-Ray's service authorization reference).
            Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
            Resource: '*',
          },
        ],
      },
    },
  };
  for (const { id } of functions) {
    const fn = resources[`${id}LambdaFunction`];
    fn.DependsOn = [...new Set([...[fn.DependsOn ?? []].flat(), 'TraceWritesPolicy'])];
  }
}

class OperationsResources {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:package:compileEvents': () => this.addResources() };
  }

  addResources() {
    const service = this.serverless.service;
    const naming = this.serverless.getProvider('aws').naming;
    const functions = service.getAllFunctions().map((name) => ({
      id: naming.getNormalizedFunctionName(name),
      logGroupId: naming.getLogGroupLogicalId(name),
      usesDatabase: Boolean(service.getFunction(name).environment?.DB_SECRET_ARN),
    }));
    const alarmEmail = service.custom?.operations?.alarmEmail ?? '';
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    Object.assign(resources, operationsResources({ functions, alarmEmail }));
    if (service.provider.tracing?.lambda) grantTraceWrites(resources, functions);
    service.provider.compiledCloudFormationTemplate.Outputs.AlarmTopicArn = { Value: { Ref: 'AlarmTopic' } };
  }
}

module.exports = OperationsResources;
