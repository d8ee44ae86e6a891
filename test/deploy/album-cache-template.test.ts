import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackagedStage, packageStage, type Template } from '../support/package-template.js';

const VALKEY_PARAMS = [
  'cache=valkey',
  'cacheVpcId=vpc-0a1b2c3d',
  'cacheSubnetIds=subnet-0a,subnet-0b',
  'cacheRouteTableIds=rtb-0a',
];
const withParams = (params: string[]) => packageStage(params.map((param) => `--param=${param}`));

let memory: PackagedStage;
let valkey: PackagedStage;
/** Where a test unpacks what it runs, beside the shared packages. */
let scratch: string;

/** A packaged function's bundle, as Lambda would load it. */
async function bundleOf(outputDir: string, functionName: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'unzip',
    ['-p', join(outputDir, `${functionName}.zip`), `functions/${functionName}.cjs`],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

beforeAll(async () => {
  // One after the other: two builds at once would take the functions' esbuild past the machine's cores.
  memory = await withParams([]);
  valkey = await withParams(VALKEY_PARAMS);
  scratch = await mkdtemp(join(tmpdir(), 'album-bundles-'));
}, 240_000);

afterAll(() => rm(scratch, { recursive: true, force: true }));

const cacheFunctions = ['GetAlbumLambdaFunction', 'VerifyCoverLambdaFunction'];
const created = (template: Template) =>
  Object.entries(template.Resources).filter(
    ([, resource]) =>
      resource.Condition === undefined ||
      JSON.stringify(template.Conditions[resource.Condition]) ===
        JSON.stringify({ 'Fn::Equals': ['valkey', 'valkey'] }),
  );

describe('the album cache in the template', () => {
  it('bundles the Redis client only into a deployment with a Redis cache', async () => {
    const withoutCache = await bundleOf(memory.outputDir, 'getAlbum');
    const withCache = await bundleOf(valkey.outputDir, 'getAlbum');
    expect(withoutCache).toContain('built without a Redis client');
    expect(withCache).not.toContain('built without a Redis client');
    expect(withCache.length - withoutCache.length).toBeGreaterThan(200_000);
  });

  it('is each container’s memory by default: no cache, no VPC, no REDIS_URL', () => {
    expect(
      created(memory.template).filter(
        ([, r]) => r.Type.startsWith('AWS::ElastiCache') || r.Type.startsWith('AWS::EC2'),
      ),
    ).toEqual([]);
    for (const name of cacheFunctions) {
      const fn = memory.template.Resources[name]?.Properties ?? {};
      expect(fn.VpcConfig).toEqual({ SecurityGroupIds: [], SubnetIds: [] }); // Lambda's way of saying none
      expect(fn.Environment.Variables).toMatchObject({ REDIS_URL: '', ALBUM_CACHE_TTL_SECONDS: '10' });
    }
  });

  it('adds ElastiCache Serverless (Valkey) under cache=valkey, reached over TLS from the two functions that use it', () => {
    const cache = valkey.template.Resources.AlbumCache;
    expect(cache?.Type).toBe('AWS::ElastiCache::ServerlessCache');
    expect(cache?.Properties).toMatchObject({
      Engine: 'valkey',
      SubnetIds: { 'Fn::Split': [',', 'subnet-0a,subnet-0b'] },
      SecurityGroupIds: [{ Ref: 'AlbumCacheSecurityGroup' }],
      CacheUsageLimits: { DataStorage: { Maximum: 1, Unit: 'GB' } },
    });
    for (const name of cacheFunctions) {
      const fn = valkey.template.Resources[name]?.Properties ?? {};
      expect(fn.VpcConfig).toEqual({
        SecurityGroupIds: [{ Ref: 'AlbumCacheClientSecurityGroup' }],
        SubnetIds: { 'Fn::Split': [',', 'subnet-0a,subnet-0b'] },
      });
      expect(JSON.stringify(fn.Environment.Variables.REDIS_URL)).toContain('rediss://');
      expect(JSON.stringify(fn.Environment.Variables.REDIS_URL)).toContain('AlbumCache');
    }
    // The other functions stay out of the VPC.
    expect(valkey.template.Resources.ListAlbumsLambdaFunction?.Properties.VpcConfig).toBeUndefined();
    expect(valkey.template.Resources.PostReviewLambdaFunction?.Properties.VpcConfig).toBeUndefined();
  });

  it('lets only those functions reach the cache, and gives them the endpoints a VPC without NAT needs', () => {
    const ingress = valkey.template.Resources.AlbumCacheSecurityGroup?.Properties.SecurityGroupIngress;
    expect(ingress).toEqual([
      expect.objectContaining({
        FromPort: 6379,
        SourceSecurityGroupId: { Ref: 'AlbumCacheClientSecurityGroup' },
      }),
    ]);
    const endpoints = created(valkey.template)
      .filter(([, r]) => r.Type === 'AWS::EC2::VPCEndpoint')
      .map(([, r]) => [JSON.stringify(r.Properties.ServiceName), r.Properties.VpcEndpointType]);
    expect(endpoints).toEqual([
      [expect.stringContaining('.rds-data'), 'Interface'],
      [expect.stringContaining('.s3'), 'Gateway'],
    ]);
    for (const role of ['ReadAlbumsRole', 'VerifyCoverRole']) {
      expect(valkey.template.Resources[role]?.Properties.ManagedPolicyArns).toEqual([
        'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
      ]);
    }
  });
});

describe('the deployed bundles', () => {
  it('sign with the credentials Lambda puts in the environment, without the rest of the SDK’s chain', async () => {
    const bundleFile = join(scratch, 'listAlbums.cjs');
    await writeFile(bundleFile, await bundleOf(memory.outputDir, 'listAlbums'));
    const bundlesWebIdentity = (await readFile(bundleFile, 'utf8')).includes('AWS_WEB_IDENTITY_TOKEN_FILE');
    expect(bundlesWebIdentity, 'the web identity credential provider is bundled').toBe(false);

    const authorizations: string[] = [];
    const dataApi = createServer((request, response) => {
      authorizations.push(request.headers.authorization ?? '');
      response.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'BadRequestException',
      });
      response.end('{"message":"refused by the test"}');
    });
    await new Promise<void>((resolve) => dataApi.listen(0, '127.0.0.1', resolve));
    try {
      const event = await readFile(
        join(import.meta.dirname, '..', '..', 'events', 'listAlbums.json'),
        'utf8',
      );
      const invoke = `require(${JSON.stringify(bundleFile)}).handler(${event}, { awsRequestId: 'test', getRemainingTimeInMillis: () => 10000 }).then((r) => console.log(r.statusCode))`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', invoke], {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDLAMBDAEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'lambda-secret',
          AWS_SESSION_TOKEN: 'lambda-session',
          DB_CLUSTER_ARN: 'arn:aws:rds:us-east-1:000000000000:cluster:albums',
          DB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:albums-reader',
          DB_NAME: 'albums',
          DATA_API_ENDPOINT: `http://127.0.0.1:${(dataApi.address() as AddressInfo).port}`,
        },
      });
      expect(stdout.trim()).toMatch(/^[45]\d\d$/);
      expect(authorizations[0]).toContain('Credential=AKIDLAMBDAEXAMPLE/');
    } finally {
      dataApi.close();
    }
  });

  it('carry Swagger UI beside the docs function’s bundle, read when it is asked for', async () => {
    const unpacked = join(scratch, 'docs');
    await promisify(execFile)('unzip', ['-q', join(memory.outputDir, 'docs.zip'), '-d', unpacked]);
    const code = await readFile(join(unpacked, 'functions', 'docs.cjs'), 'utf8');
    expect(code.length).toBeLessThan(500_000);
    const invoke = `require(${JSON.stringify(join(unpacked, 'functions', 'docs.cjs'))}).handler({ rawPath: '/docs/swagger-ui-bundle.js' }).then((r) => console.log(r.statusCode, r.body.length))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', invoke]);
    const shipped = await readFile(
      join(import.meta.dirname, '../../node_modules/swagger-ui-dist/swagger-ui-bundle.js'),
      'utf8',
    );
    expect(stdout.trim()).toBe(`200 ${shipped.length}`);
  });
});
