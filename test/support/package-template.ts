import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serverlessBin } from '@album-service/local/serverless-config';
import { inject } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON, read here by path
export type Json = any;
export type Resource = { Type: string; Condition?: string; Properties: Record<string, Json> };
export type Template = {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: Json }>;
  Conditions: Json;
};

export interface PackagedStage {
  template: Template;
  /** Each function's zip size in bytes, by function name. */
  bundleBytes: Record<string, number>;
  /** Where the zips are, `<function>.zip`, until the run ends. */
  outputDir: string;
}

/**
 * Packages the prod stage as `serverless package` does, with `args` added. Once per set of `args` in a run:
 * the suites that package the same stage share its output (test/support/run-folder.ts).
 */
export async function packageStage(args: string[] = []): Promise<PackagedStage> {
  const packages = join(inject('runFolder'), 'packages');
  const outputDir = join(
    packages,
    createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 16),
  );
  if (!existsSync(outputDir)) {
    await mkdir(packages, { recursive: true });
    const building = await mkdtemp(join(packages, 'building-'));
    await serverlessPackage(args, building);
    // A suite that packaged the same args meanwhile got there first: its output is as good as this one.
    await rename(building, outputDir).catch(() => rm(building, { recursive: true, force: true }));
  }
  const template = JSON.parse(
    await readFile(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  const bundleBytes: Record<string, number> = {};
  for (const file of await readdir(outputDir)) {
    if (file.endsWith('.zip')) bundleBytes[file.slice(0, -4)] = (await stat(join(outputDir, file))).size;
  }
  return { template, bundleBytes, outputDir };
}

async function serverlessPackage(args: string[], outputDir: string): Promise<void> {
  // No AWS credentials are needed to package; make sure none are picked up from the machine either.
  const env = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
  };
  await promisify(execFile)(
    process.execPath,
    [serverlessBin, 'package', '--stage', 'prod', '--package', outputDir, ...args],
    { env },
  );
}
