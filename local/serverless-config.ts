import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { HttpRoute } from './api-front.js';
import type { JwtAuthorizerSettings } from './auth/jwt-authorizer.js';

/** The parts of the resolved serverless.yml that the local stack reads. */
export interface ServerlessConfig {
  service: string;
  params: { local: Record<string, string> };
  provider: {
    httpApi?: {
      authorizers?: Record<string, { type?: string; issuerUrl: string; audience: string | string[] }>;
    };
  };
  functions: Record<string, { events?: Array<Record<string, unknown>> }>;
  resources: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  custom: { databaseName: string };
}

const require = createRequire(import.meta.url);
/** The serverless CLI, run with this process's Node (the Lambda runtime's major under npm scripts). */
export const serverlessBin = require.resolve('serverless/bin/serverless.js');

/** serverless.yml as the framework resolves it for the `local` stage (variables and params filled in). */
export async function readServerlessConfig(cwd: string, env: NodeJS.ProcessEnv): Promise<ServerlessConfig> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [serverlessBin, 'print', '--stage', 'local', '--format', 'json'],
    { cwd, env, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as ServerlessConfig;
}

/** A bucket that serverless.yml declares, with the local name its `params.local` gives it. */
export interface DeclaredBucket {
  name: string;
  cors?: {
    allowedOrigins: string[];
    allowedMethods: string[];
    allowedHeaders?: string[];
    exposedHeaders?: string[];
    maxAgeSeconds?: number;
  };
}

interface CorsRule {
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders?: string[];
  ExposedHeaders?: string[];
  MaxAge?: number;
}

/**
 * The buckets declared as `AWS::S3::Bucket` resources. A resource `CoversBucket` is named locally by the
 * param `coversBucket`: the same param the functions' environment reads.
 */
export function declaredBuckets(config: ServerlessConfig): DeclaredBucket[] {
  return Object.entries(config.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
    .map(([logicalId, resource]) => {
      const name = localName(config, logicalId);
      const rule = (resource.Properties?.CorsConfiguration as { CorsRules?: CorsRule[] } | undefined)
        ?.CorsRules?.[0];
      if (!rule) return { name };
      return {
        name,
        cors: {
          allowedOrigins: rule.AllowedOrigins,
          allowedMethods: rule.AllowedMethods,
          allowedHeaders: rule.AllowedHeaders,
          exposedHeaders: rule.ExposedHeaders,
          maxAgeSeconds: rule.MaxAge,
        },
      };
    });
}

/** The local name of a declared resource: the `params.local` entry named after its logical id. */
export function localName(config: ServerlessConfig, logicalId: string): string {
  const param = logicalId.charAt(0).toLowerCase() + logicalId.slice(1);
  const name = config.params.local[param];
  if (!name) throw new Error(`serverless.yml declares ${logicalId} but params.local has no ${param}`);
  return name;
}

/** A queue that serverless.yml declares, with its local name and attributes. */
export interface DeclaredQueue {
  logicalId: string;
  name: string;
  attributes: Record<string, string>;
}

type GetAtt = { 'Fn::GetAtt': [string, string] };

/**
 * The queues declared as `AWS::SQS::Queue` resources, named like buckets (`ReviewsQueue` by the param
 * `reviewsQueue`). A redrive policy's target is turned into the local ARN of the queue it names.
 */
export function declaredQueues(config: ServerlessConfig, arnOf: (name: string) => string): DeclaredQueue[] {
  return Object.entries(config.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::SQS::Queue')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const attributes: Record<string, string> = {};
      for (const name of [
        'VisibilityTimeout',
        'MessageRetentionPeriod',
        'DelaySeconds',
        'ReceiveMessageWaitTimeSeconds',
      ]) {
        if (properties[name] !== undefined) attributes[name] = String(properties[name]);
      }
      const redrive = properties.RedrivePolicy as
        | { deadLetterTargetArn: GetAtt; maxReceiveCount: number }
        | undefined;
      if (redrive) {
        const target = localName(config, redrive.deadLetterTargetArn['Fn::GetAtt'][0]);
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: arnOf(target),
          maxReceiveCount: redrive.maxReceiveCount,
        });
      }
      return { logicalId, name: localName(config, logicalId), attributes };
    });
}

/** A function fed by a queue, as its `sqs` event in serverless.yml describes the event source mapping. */
export interface SqsTrigger {
  functionName: string;
  queueLogicalId: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
}

/** The functions with an `sqs` event whose queue is declared in the same serverless.yml. */
export function sqsTriggers(config: ServerlessConfig): SqsTrigger[] {
  return Object.entries(config.functions).flatMap(([name, fn]) =>
    (fn.events ?? []).flatMap((event) => {
      const sqs = event.sqs as
        | { arn: GetAtt; batchSize?: number; maximumBatchingWindow?: number; functionResponseType?: string }
        | undefined;
      if (!sqs?.arn['Fn::GetAtt']) return [];
      return [
        {
          functionName: `${config.service}-local-${name}`,
          queueLogicalId: sqs.arn['Fn::GetAtt'][0],
          batchSize: sqs.batchSize ?? 10,
          maximumBatchingWindowSeconds: sqs.maximumBatchingWindow ?? 0,
          reportBatchItemFailures: sqs.functionResponseType === 'ReportBatchItemFailures',
        },
      ];
    }),
  );
}

/** A function that a declared bucket notifies of created objects, under a key prefix. */
export interface S3Trigger {
  functionName: string;
  bucketLogicalId: string;
  prefix: string;
}

interface LambdaNotification {
  Event: string;
  Function: GetAtt;
  Filter?: { S3Key?: { Rules?: Array<{ Name: string; Value: string }> } };
}

/** The `ObjectCreated` notifications of declared buckets that name one of this service's functions. */
export function s3Triggers(config: ServerlessConfig): S3Trigger[] {
  return Object.entries(config.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
    .flatMap(([bucketLogicalId, resource]) => {
      const notifications =
        (resource.Properties?.NotificationConfiguration as { LambdaConfigurations?: LambdaNotification[] })
          ?.LambdaConfigurations ?? [];
      return notifications
        .filter((notification) => notification.Event.startsWith('s3:ObjectCreated:'))
        .map((notification) => {
          const logicalId = notification.Function['Fn::GetAtt'][0].replace(/LambdaFunction$/, '');
          const prefix =
            notification.Filter?.S3Key?.Rules?.find((rule) => rule.Name === 'prefix')?.Value ?? '';
          const functionKey = logicalId.charAt(0).toLowerCase() + logicalId.slice(1);
          return { functionName: `${config.service}-local-${functionKey}`, bucketLogicalId, prefix };
        });
    });
}

/** The routes of the HTTP API: every function's `httpApi` events, with the name of the authorizer each has. */
export function httpRoutes(config: ServerlessConfig): HttpRoute[] {
  return Object.values(config.functions).flatMap((fn) =>
    (fn.events ?? []).flatMap((event) => {
      const route = event.httpApi as
        | { method: string; path: string; authorizer?: string | { name: string } }
        | undefined;
      if (!route) return [];
      const authorizer = typeof route.authorizer === 'string' ? route.authorizer : route.authorizer?.name;
      return [{ method: route.method, path: route.path, ...(authorizer ? { authorizer } : {}) }];
    }),
  );
}

/** The HTTP API's JWT authorizers (`provider.httpApi.authorizers` of type `jwt`), by name. */
export function jwtAuthorizers(config: ServerlessConfig): Record<string, JwtAuthorizerSettings> {
  return Object.fromEntries(
    Object.entries(config.provider.httpApi?.authorizers ?? {})
      .filter(([, authorizer]) => authorizer.type === 'jwt')
      .map(([name, authorizer]) => [
        name,
        {
          issuerUrl: authorizer.issuerUrl,
          audience: Array.isArray(authorizer.audience) ? authorizer.audience : [authorizer.audience],
        },
      ]),
  );
}
