import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

/** The parts of the resolved serverless.yml that the local stack reads. */
export interface ServerlessConfig {
  params: { local: Record<string, string> };
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
