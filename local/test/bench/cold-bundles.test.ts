import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { clientsEntry, esbuildOptionsOf, median, sdkClientsIn } from '../../bench/cold-bundles.js';

const S3 = { className: 'S3Client', module: '@aws-sdk/client-s3', serviceId: 'S3' };
const SQS = { className: 'SQSClient', module: '@aws-sdk/client-sqs', serviceId: 'SQS' };
const RDS_DATA = { className: 'RDSDataClient', module: '@aws-sdk/client-rds-data', serviceId: 'RDS Data' };

describe('median', () => {
  it('is the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow();
  });
});

describe('esbuildOptionsOf', () => {
  it("gives esbuild serverless-esbuild's defaults under the settings, without the plugin's own", () => {
    const options = esbuildOptionsOf(
      {
        minify: true,
        sourcemap: 'linked',
        format: 'cjs',
        outputFileExtension: '.cjs',
        outputWorkFolder: '.esbuild',
        skipRebuild: true,
        concurrency: 1,
        watch: { pattern: ['lib/**/*.ts'] },
      },
      'nodejs22.x',
    );
    expect(options).toEqual({
      bundle: true,
      platform: 'node',
      target: 'node22',
      minify: true,
      sourcemap: 'linked',
      format: 'cjs',
      external: ['aws-sdk'],
      outExtension: { '.js': '.cjs' },
    });
  });

  it('keeps a target and externals the settings give', () => {
    const options = esbuildOptionsOf(
      { target: 'node20', external: ['pg-native'], exclude: ['*'] },
      'nodejs22.x',
    );
    expect(options.target).toBe('node20');
    expect(options.external).toEqual(['pg-native']);
    expect(options.outExtension).toBeUndefined();
  });

  it('refuses settings loaded from a file, which a baseline could not share', () => {
    expect(() => esbuildOptionsOf({ config: './esbuild.config.cjs' }, 'nodejs22.x')).toThrow(/config/);
  });
});

describe('sdkClientsIn', () => {
  it("finds a client by its configuration's service id, unminified or minified, not by its name", () => {
    expect(sdkClientsIn('serviceId: config?.serviceId ?? "S3",', [S3, SQS])).toEqual([S3]);
    expect(sdkClientsIn('serviceId:e?.serviceId??"RDS Data",', [S3, SQS, RDS_DATA])).toEqual([RDS_DATA]);
    expect(sdkClientsIn('if (clientName === "S3Client") e.S3Client = S3Client;', [S3])).toEqual([]);
    expect(sdkClientsIn('serviceId:e?.serviceId??"SQS"', [S3])).toEqual([]);
  });

  // The SDK's CommonJS builds (esbuild's default for node) and its ES modules (`mainFields: [module, main]`).
  it.each([
    { minify: false, mainFields: undefined },
    { minify: true, mainFields: undefined },
    { minify: true, mainFields: ['module', 'main'] },
  ])(
    'finds the clients a baseline constructs in its bundle (minify $minify, mainFields $mainFields)',
    async (options) => {
      const bundle = async (entry: string) => {
        const result = await build({
          stdin: {
            contents: entry,
            resolveDir: resolve(import.meta.dirname, '..', '..', '..'),
            loader: 'ts',
          },
          bundle: true,
          platform: 'node',
          format: 'cjs',
          ...options,
          write: false,
          logLevel: 'silent',
        });
        return result.outputFiles[0]?.text ?? '';
      };
      expect(sdkClientsIn(await bundle(clientsEntry([SQS])), [S3, SQS, RDS_DATA])).toEqual([SQS]);
      expect(sdkClientsIn(await bundle(clientsEntry([S3, RDS_DATA])), [S3, SQS, RDS_DATA])).toEqual([
        S3,
        RDS_DATA,
      ]);
      expect(sdkClientsIn(await bundle(clientsEntry([])), [S3, SQS, RDS_DATA])).toEqual([]);
    },
  );
});
