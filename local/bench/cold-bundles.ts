/**
 * What `bench:cold` needs to know about bundles: the esbuild options serverless-esbuild builds the functions
 * with, which SDK clients a built bundle holds, and the entry files of the baselines it is compared with.
 */
import type { BuildOptions } from 'esbuild';

/** serverless-esbuild's own settings, which it takes out before handing the rest to esbuild. */
const PLUGIN_SETTINGS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/**
 * The esbuild options serverless-esbuild builds a function with, from `custom.esbuild` as the framework
 * resolved it: its defaults (bundle, platform node, the runtime's target, `aws-sdk` excluded) under the
 * settings, its own settings taken out, and the output extension. Settings it would load from a file
 * (`config`, `plugins` as a path) are refused: a baseline built without them would not be comparable.
 *
 * @example
 * esbuildOptionsOf({ minify: true, format: 'cjs', outputFileExtension: '.cjs' }, 'nodejs22.x');
 * // { bundle: true, platform: 'node', target: 'node22', minify: true, format: 'cjs', external: ['aws-sdk'],
 * //   outExtension: { '.js': '.cjs' } }
 */
export function esbuildOptionsOf(settings: Record<string, unknown>, runtime: string): BuildOptions {
  for (const fromFile of ['config', 'plugins']) {
    if (settings[fromFile] !== undefined)
      throw new Error(
        `custom.esbuild.${fromFile} is set: the cold-start baselines cannot be built like that`,
      );
  }
  const merged: Record<string, unknown> = {
    bundle: true,
    platform: 'node',
    ...(/^nodejs\d+/.test(runtime) ? { target: runtime.replace(/^nodejs(\d+).*$/, 'node$1') } : {}),
    ...settings,
  };
  const exclude = asStrings(settings.exclude ?? ['aws-sdk']);
  const extension = typeof settings.outputFileExtension === 'string' ? settings.outputFileExtension : '.js';
  const options = Object.fromEntries(
    Object.entries(merged).filter(([name]) => !PLUGIN_SETTINGS.includes(name)),
  ) as BuildOptions;
  options.external = [...asStrings(settings.external ?? []), ...(exclude.includes('*') ? [] : exclude)];
  if (extension !== '.js') options.outExtension = { '.js': extension };
  return options;
}

const asStrings = (value: unknown): string[] =>
  [value].flat().filter((item): item is string => typeof item === 'string');

/** An SDK client class, the package that exports it, and the id of its service (`S3`, `RDS Data`). */
export interface SdkClient {
  className: string;
  module: string;
  serviceId: string;
}

/**
 * The SDK clients among `clients` that a bundle holds, found by the service id their runtime configuration
 * defaults to (`serviceId: config?.serviceId ?? "S3"`): only a client's own configuration has it, and
 * minifying keeps it, from the SDK's CommonJS and ES module builds alike.
 *
 * @example
 * const s3 = { className: 'S3Client', module: '@aws-sdk/client-s3', serviceId: 'S3' };
 * sdkClientsIn('serviceId:t?.serviceId??"S3"', [s3]); // [s3]
 */
export function sdkClientsIn(bundleText: string, clients: SdkClient[]): SdkClient[] {
  return clients.filter(({ serviceId }) =>
    new RegExp(String.raw`serviceId\s*:\s*[\w$]+\?\.serviceId\s*\?\?\s*["']${serviceId}["']`).test(
      bundleText,
    ),
  );
}

/**
 * The entry of a baseline holding only these SDK clients: each imported and constructed once at load, as a
 * function builds its clients, and never called. With no clients, an empty handler.
 *
 * @example
 * clientsEntry([{ className: 'SQSClient', module: '@aws-sdk/client-sqs' }]);
 */
export function clientsEntry(clients: SdkClient[]): string {
  const imports = clients.map(({ className, module }) => `import { ${className} } from '${module}';\n`);
  const constructed = clients.map(({ className }) => `new ${className}({})`).join(', ');
  return `${imports.join('')}
const clients = [${constructed}];
export const handler = async () => ({ statusCode: 200, body: String(clients.length) });
`;
}

/**
 * The middle value (the mean of the two middle values of an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('the median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
