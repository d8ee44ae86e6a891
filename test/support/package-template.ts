import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serverlessBin } from '@album-service/local/serverless-config';

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON, read here by path
export type Json = any;
export type Resource = { Type: string; Properties: Record<string, Json> };
export type Template = { Resources: Record<string, Resource>; Outputs: Record<string, { Value: Json }> };

/**
 * Packages the prod stage as `serverless package` does, with `args` added, and returns its template and
 * the size in bytes of each function's zip, by function name.
 */
export async function packageStage(
  args: string[] = [],
): Promise<{ template: Template; bundleBytes: Record<string, number> }> {
  const outputDir = await mkdtemp(join(tmpdir(), 'album-package-'));
  // No AWS credentials are needed to package; make sure none are picked up from the machine either.
  const env = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
  };
  try {
    await promisify(execFile)(
      process.execPath,
      [serverlessBin, 'package', '--stage', 'prod', '--package', outputDir, ...args],
      { env },
    );
    const template = JSON.parse(
      await readFile(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
    const bundleBytes: Record<string, number> = {};
    for (const file of await readdir(outputDir)) {
      if (file.endsWith('.zip')) bundleBytes[file.slice(0, -4)] = (await stat(join(outputDir, file))).size;
    }
    return { template, bundleBytes };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}
