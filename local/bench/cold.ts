/**
 * `npm run bench:cold`: the cold start of every function as it deploys. Packages the service
 * (`serverless package --stage prod`), unzips each function's bundle, and starts the Data API, S3 and SQS
 * emulators on free ports with throwaway data. Then, for each function, a fresh Node process (the Lambda
 * runtime's major, with the NODE_OPTIONS and environment the function gets) loads the bundle and invokes
 * its handler once with its sample event from events/, against the emulators.
 *
 * Next to each function, a baseline built with the same esbuild settings (read from serverless.yml):
 * a bundle holding only the SDK clients that function's bundle holds, constructed and never called; and an
 * empty handler. Prints, per function, the median over BENCH_COLD_RUNS runs (default 5) of the init (the
 * bundle's require, in wall-clock and CPU time) and of the first invocation, the bundle's size, and init ÷
 * its baseline's init: the figure to compare across machines. Also getAlbum's init with and without
 * --enable-source-maps.
 *
 * Exits 0 whatever the figures; 1 only when it could not measure (a function threw, answered 4xx/5xx or
 * reported failed records).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type BuildOptions, build } from 'esbuild';
import { LOCAL_CREDENTIALS } from '../credentials.js';
import { startDataApiServer } from '../data-api/server.js';
import { startObjectStore } from '../s3/object-store.js';
import { serverlessBin } from '../serverless-config.js';
import { startQueues } from '../sqs/queues.js';
import { clientsEntry, esbuildOptionsOf, median, type SdkClient, sdkClientsIn } from './cold-bundles.js';

const projectRoot = resolve(import.meta.dirname, '..', '..');
/** The Lambda runtime's Node major: the `node` devDependency. */
const nodeBin = join(projectRoot, 'node_modules', '.bin', 'node');
const runnerPath = join(import.meta.dirname, 'cold-runner.cjs');
const run = promisify(execFile);

const REGION = 'us-east-1';
const BUCKET = 'album-covers-cold';
const QUEUE = 'album-reviews-cold';
/** The album id the sample events in events/ name; each run invokes them with an album that exists. */
const SAMPLE_ALBUM_ID = '00000000-0000-4000-8000-000000000000';
/** The function that creates the sample album, from its own sample event. */
const ALBUM_CREATOR = 'createAlbum';
/** The function whose init is also measured with and without source-mapped stack traces. */
const SOURCE_MAP_SUBJECT = 'getAlbum';
const SOURCE_MAPS_FLAG = '--enable-source-maps';
const BUNDLE_LIMIT_BYTES = 500 * 1024;
const INIT_RATIO_LIMIT = 1.5;
/** Function output kept to explain a failed run. */
const OUTPUT_TAIL_CHARS = 4_000;

/** The parts of the packaged service's state (`serverless-state.json`) the benchmark reads. */
interface PackagedService {
  service: {
    provider: { runtime: string; environment?: Record<string, unknown> };
    custom?: { esbuild?: Record<string, unknown> };
    functions: Record<
      string,
      { handler: string; name: string; memory?: number; environment?: Record<string, unknown> }
    >;
  };
}

/** One thing to cold-start: a bundle, the event to invoke it with, and the environment it runs in. */
interface Subject {
  label: string;
  bundlePath: string;
  exportName: string;
  eventPath: string;
  functionName: string;
  environment: Record<string, string>;
}

interface FunctionBundle extends Subject {
  jsBytes: number;
  mapBytes: number;
  clients: SdkClient[];
}

interface Baseline extends Subject {
  jsBytes: number;
  mapBytes: number;
}

interface ColdStart {
  initMs: number;
  initCpuMs: number;
  invokeMs: number;
  statusCode?: number;
  failedItems?: number;
  body?: string;
}

function runsFromEnvironment(): number {
  const text = process.env.BENCH_COLD_RUNS ?? '5';
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`BENCH_COLD_RUNS must be a whole number from 1, got '${text}'`);
  return runs;
}

/** `serverless package --stage prod` into `outputDir`, built in `buildDir` apart from anyone else's build. */
async function packageService(outputDir: string, buildDir: string): Promise<PackagedService> {
  await run(nodeBin, [serverlessBin, 'package', '--stage', 'prod', '--package', outputDir], {
    cwd: projectRoot,
    maxBuffer: 16 * 1024 * 1024,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      FUNCTIONS_BUILD_DIR: relative(projectRoot, buildDir),
      // No AWS credentials are needed to package; make sure none are picked up from the machine either.
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    },
  }).catch((error: { stdout?: string; stderr?: string }) => {
    // The framework writes the reason for a failure to stdout and only its environment to stderr.
    throw new Error(`serverless package failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`.trim());
  });
  return JSON.parse(await readFile(join(outputDir, 'serverless-state.json'), 'utf8')) as PackagedService;
}

async function unzip(zipPath: string, directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  try {
    await run('unzip', ['-q', '-o', zipPath, '-d', directory]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('bench:cold needs the unzip program to read the packaged functions');
    throw error;
  }
}

const sizeOf = (path: string) =>
  stat(path).then(
    (stats) => stats.size,
    () => 0,
  );

/**
 * The SDK clients the service depends on: the client class each `@aws-sdk/client-*` dependency exports,
 * with the service id a client of it is configured with.
 */
async function dependedOnClients(): Promise<SdkClient[]> {
  const manifest = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const modules = Object.keys(manifest.dependencies).filter((name) => name.startsWith('@aws-sdk/client-'));
  const clients = await Promise.all(
    modules.map(async (module) => {
      const exported = (await import(module)) as Record<string, unknown>;
      return Object.entries(exported)
        .filter(([name]) => /^[A-Z]\w*Client$/.test(name))
        .map(([className, Client]) => {
          const client = new (Client as new (config: object) => SdkClientInstance)({ region: REGION });
          client.destroy();
          return { className, module, serviceId: client.config.serviceId };
        });
    }),
  );
  return clients.flat();
}

interface SdkClientInstance {
  config: { serviceId: string };
  destroy(): void;
}

/**
 * What a function runs with on Lambda (the provider's environment under its own), the resources it names
 * replaced by the emulators'. A value still taken from a resource has no local counterpart: an error, so the
 * benchmark never runs a function with an environment it would not have.
 */
function functionEnvironment(
  service: PackagedService['service'],
  name: string,
  local: Record<string, string>,
): Record<string, string> {
  const fn = service.functions[name];
  const merged: Record<string, unknown> = {
    ...service.provider.environment,
    ...fn?.environment,
    ...local,
    AWS_LAMBDA_FUNCTION_NAME: fn?.name ?? name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn?.memory ?? 1024),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: `AWS_Lambda_${service.provider.runtime}`,
  };
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value !== 'string')
      throw new Error(`${name}: ${key} is ${JSON.stringify(value)}, which bench:cold has no local value for`);
  }
  return merged as Record<string, string>;
}

async function unpackFunctions(
  state: PackagedService,
  packageDir: string,
  workDir: string,
  local: Record<string, string>,
  knownClients: SdkClient[],
  extension: string,
): Promise<FunctionBundle[]> {
  const bundles: FunctionBundle[] = [];
  for (const [name, fn] of Object.entries(state.service.functions)) {
    const directory = join(workDir, 'functions', name);
    await unzip(join(packageDir, `${name}.zip`), directory);
    const exportAt = fn.handler.lastIndexOf('.');
    const bundlePath = join(directory, `${fn.handler.slice(0, exportAt)}${extension}`);
    const text = await readFile(bundlePath, 'utf8');
    bundles.push({
      label: name,
      bundlePath,
      exportName: fn.handler.slice(exportAt + 1),
      eventPath: join(workDir, 'events', `${name}.json`),
      functionName: fn.name,
      environment: functionEnvironment(state.service, name, local),
      jsBytes: Buffer.byteLength(text),
      mapBytes: await sizeOf(`${bundlePath}.map`),
      clients: sdkClientsIn(text, knownClients),
    });
  }
  return bundles;
}

const clientSetKey = (clients: SdkClient[]) => clients.map(({ className }) => className).join('+');
const clientSetLabel = (clients: SdkClient[]) =>
  clients.length
    ? `${clients.map(({ className }) => className.replace(/Client$/, '')).join(' + ')} only`
    : 'empty handler';

/** A baseline bundle of `clientsEntry(clients)`, built with the functions' esbuild options. */
async function buildBaseline(
  clients: SdkClient[],
  options: BuildOptions,
  workDir: string,
  environment: Record<string, string>,
): Promise<Baseline> {
  const name = clientSetKey(clients) || 'empty';
  const extension = options.outExtension?.['.js'] ?? '.js';
  const bundlePath = join(workDir, 'baselines', `${name}${extension}`);
  const { outExtension: _, ...rest } = options;
  await build({
    ...rest,
    stdin: {
      contents: clientsEntry(clients),
      resolveDir: projectRoot,
      sourcefile: `${name}.ts`,
      loader: 'ts',
    },
    outfile: bundlePath,
    logLevel: 'silent',
  });
  const eventPath = join(workDir, 'events', 'baseline.json');
  await writeFile(eventPath, '{}');
  return {
    label: `(${clientSetLabel(clients)})`,
    bundlePath,
    exportName: 'handler',
    eventPath,
    functionName: `baseline-${name}`,
    environment,
    jsBytes: await sizeOf(bundlePath),
    mapBytes: await sizeOf(`${bundlePath}.map`),
  };
}

/** Applies the migrations with the project's own command, pointed at the local Data API. */
async function migrate(environment: Record<string, string>): Promise<void> {
  await run(nodeBin, ['--import', 'tsx', 'db/migrate.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
  });
}

/** Cold-starts one subject in a fresh process; rejects when it threw or did not answer as it should. */
function coldStart(subject: Subject): Promise<ColdStart> {
  const child = spawn(
    nodeBin,
    [runnerPath, subject.bundlePath, subject.exportName, subject.eventPath, subject.functionName],
    {
      cwd: dirname(subject.bundlePath),
      env: { PATH: process.env.PATH ?? '', ...subject.environment },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolveRun, rejectRun) => {
    let message: (ColdStart & { error?: string }) | undefined;
    child.once('message', (received: ColdStart & { error?: string }) => {
      message = received;
    });
    child.once('error', rejectRun);
    child.once('exit', (code, signal) => {
      const fail = (reason: string) =>
        rejectRun(new Error(`${subject.label}: ${reason}\n${output.trim() ? `its output:\n${output}` : ''}`));
      if (!message) return fail(`exited (${signal ?? `code ${code}`}) without a result`);
      if (message.error) return fail(`threw ${message.error}`);
      if ((message.statusCode ?? 0) >= 400)
        return fail(`answered ${message.statusCode}: ${message.body ?? ''}`);
      if ((message.failedItems ?? 0) > 0) return fail(`reported ${message.failedItems} failed records`);
      resolveRun(message);
    });
  });
}

/** Puts the sample cover where an S3 event names an object, so the event names an object that exists. */
async function withStoredObjects(event: unknown, s3: S3Client): Promise<unknown> {
  const records = (event as { Records?: Array<{ s3?: S3Record }> }).Records ?? [];
  const cover = await readFile(join(projectRoot, 'docs', 'cover.png'));
  for (const { s3: record } of records) {
    if (!record) continue;
    const key = decodeURIComponent(record.object.key.replace(/\+/g, ' '));
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: cover }));
    record.bucket = { ...record.bucket, name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` };
    record.object = { ...record.object, eTag: (ETag ?? '').replaceAll('"', ''), size: cover.length };
  }
  return event;
}

interface S3Record {
  bucket: { name: string; arn: string };
  object: { key: string; eTag?: string; size?: number };
}

/** Each function's sample event from events/, naming `albumId` in place of the sample album. */
async function writeEvents(functions: FunctionBundle[], albumId: string | undefined, s3: S3Client) {
  for (const fn of functions) {
    if (fn.label === ALBUM_CREATOR) continue;
    const sample = await readFile(join(projectRoot, 'events', `${fn.label}.json`), 'utf8').catch(() => {
      throw new Error(`${fn.label} has no sample event (events/${fn.label}.json)`);
    });
    if (sample.includes(SAMPLE_ALBUM_ID) && !albumId)
      throw new Error(
        `events/${fn.label}.json names the sample album, and there is no ${ALBUM_CREATOR} to create it`,
      );
    const event = JSON.parse(albumId ? sample.replaceAll(SAMPLE_ALBUM_ID, albumId) : sample);
    await writeFile(fn.eventPath, JSON.stringify(await withStoredObjects(event, s3)));
  }
}

/** Creates the album the other events name, by invoking the album creator's bundle with its sample event. */
async function createSampleAlbum(functions: FunctionBundle[]): Promise<string | undefined> {
  const creator = functions.find((fn) => fn.label === ALBUM_CREATOR);
  if (!creator) return undefined;
  await writeFile(creator.eventPath, await readFile(join(projectRoot, 'events', `${ALBUM_CREATOR}.json`)));
  const created = await coldStart(creator);
  const { albumId } = JSON.parse(created.body ?? '{}') as { albumId?: string };
  if (!albumId) throw new Error(`${ALBUM_CREATOR} answered no albumId: ${created.body}`);
  return albumId;
}

/** The subject run with source-mapped stack traces on or off, whatever NODE_OPTIONS it deploys with. */
function withSourceMaps(subject: Subject, enabled: boolean): Subject {
  const others = (subject.environment.NODE_OPTIONS ?? '')
    .split(/\s+/)
    .filter((option) => option && option !== SOURCE_MAPS_FLAG);
  return {
    ...subject,
    label: `${subject.label} ${enabled ? 'with' : 'without'} ${SOURCE_MAPS_FLAG}`,
    environment: {
      ...subject.environment,
      NODE_OPTIONS: [...others, ...(enabled ? [SOURCE_MAPS_FLAG] : [])].join(' '),
    },
  };
}

/** A text table; the `numeric` columns aligned right. */
function table(header: string[], rows: string[][], numeric: number[]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `  ${text}`).join('\n');
}

const kb = (bytes: number) => (bytes / 1024).toFixed(0);
const ms = (value: number) => value.toFixed(1);

async function main(): Promise<number> {
  const runs = runsFromEnvironment();
  const workDir = await mkdtemp(join(tmpdir(), 'album-cold-'));
  const stoppers: Array<() => Promise<void>> = [];
  try {
    const startedAt = performance.now();
    const packageDir = join(workDir, 'package');
    const state = await packageService(packageDir, join(workDir, 'build'));
    console.error(`Packaged in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    const settings = state.service.custom?.esbuild ?? {};
    const options = esbuildOptionsOf(settings, state.service.provider.runtime);
    await mkdir(join(workDir, 'events'), { recursive: true });

    const dataApi = await startDataApiServer();
    stoppers.push(() => dataApi.close());
    const objectStore = await startObjectStore({ dataDir: join(workDir, 's3'), buckets: [{ name: BUCKET }] });
    stoppers.push(() => objectStore.close());
    const queues = await startQueues({ queues: [{ name: QUEUE }] });
    stoppers.push(() => queues.close());
    const local: Record<string, string> = {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      DB_CLUSTER_ARN: `arn:aws:rds:${REGION}:000000000000:cluster:albums-cold`,
      DB_SECRET_ARN: `arn:aws:secretsmanager:${REGION}:000000000000:secret:albums-cold`,
      DATA_API_ENDPOINT: dataApi.url,
      COVERS_BUCKET: BUCKET,
      S3_ENDPOINT: objectStore.url,
      REVIEWS_QUEUE_URL: queues.queueUrl(QUEUE),
      SQS_ENDPOINT: queues.url,
    };
    await migrate({ ...local, DB_NAME: String(state.service.provider.environment?.DB_NAME ?? 'albums') });

    const extension = options.outExtension?.['.js'] ?? '.js';
    const functions = await unpackFunctions(
      state,
      packageDir,
      workDir,
      local,
      await dependedOnClients(),
      extension,
    );
    const baselineEnvironment = functionEnvironment({ ...state.service, functions: {} }, 'baseline', local);
    const clientSets = new Map<string, SdkClient[]>([['', []]]);
    for (const fn of functions) clientSets.set(clientSetKey(fn.clients), fn.clients);
    const baselines = new Map<string, Baseline>();
    for (const [key, clients] of clientSets)
      baselines.set(key, await buildBaseline(clients, options, workDir, baselineEnvironment));

    const s3 = new S3Client({
      region: REGION,
      endpoint: objectStore.url,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    stoppers.push(async () => s3.destroy());
    await writeEvents(functions, await createSampleAlbum(functions), s3);
    console.error(
      `Unpacked ${functions.length} functions, built ${baselines.size} baselines and started the emulators: ` +
        `ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    );

    const sourceMapSubject = functions.find((fn) => fn.label === SOURCE_MAP_SUBJECT);
    const subjects: Subject[] = [
      ...functions,
      ...(sourceMapSubject ? [true, false].map((enabled) => withSourceMaps(sourceMapSubject, enabled)) : []),
      ...baselines.values(),
    ];
    const samples = new Map<string, ColdStart[]>(subjects.map((subject) => [subject.label, []]));
    // A first round, not counted, brings the data to the state every counted round finds (the album's
    // cover verified, its reviews applied) and the bundles into the page cache. Then round after round over
    // every subject, so a busy spell on the machine falls on all of them alike.
    for (let round = 0; round <= runs; round++) {
      console.error(
        `Round ${round ? `${round}/${runs}` : '0 (not counted)'}: ${subjects.length} cold starts`,
      );
      for (const subject of subjects) {
        const sample = await coldStart(subject);
        if (round) samples.get(subject.label)?.push(sample);
      }
    }
    const medianOf = (label: string, pick: (sample: ColdStart) => number) =>
      median((samples.get(label) ?? []).map(pick));
    const initOf = (label: string) => medianOf(label, (sample) => sample.initMs);
    const initCpuOf = (label: string) => medianOf(label, (sample) => sample.initCpuMs);
    const invokeOf = (label: string) => medianOf(label, (sample) => sample.invokeMs);

    console.log(
      `\nCold starts, median of ${runs} fresh processes each (Node ${await nodeVersion()}, ` +
        `NODE_OPTIONS=${JSON.stringify(baselineEnvironment.NODE_OPTIONS ?? '')}); esbuild options from ` +
        `serverless.yml: ${Object.entries(options)
          .map(([name, value]) => `${name} ${JSON.stringify(value)}`)
          .join(', ')}`,
    );
    console.log(
      'init = require() of the bundle, in wall-clock and CPU time; invoke = its first invocation, against the ' +
        "emulators; ÷ baseline = ÷ the init of a bundle holding only the SDK clients the function's bundle holds " +
        `(flagged over ${INIT_RATIO_LIMIT} in CPU time, the steadier figure on a busy machine)`,
    );
    const rows = functions.map((fn) => {
      const baseline = baselines.get(clientSetKey(fn.clients)) as Baseline;
      const cpuRatio = initCpuOf(fn.label) / initCpuOf(baseline.label);
      const flags = [
        fn.jsBytes > BUNDLE_LIMIT_BYTES ? `JS > ${kb(BUNDLE_LIMIT_BYTES)} KB` : '',
        cpuRatio > INIT_RATIO_LIMIT ? `init > ${INIT_RATIO_LIMIT} × baseline` : '',
      ].filter(Boolean);
      return [
        fn.label,
        fn.clients.map(({ className }) => className.replace(/Client$/, '')).join(', ') || '-',
        kb(fn.jsBytes),
        kb(fn.mapBytes),
        ms(initOf(fn.label)),
        ms(initCpuOf(fn.label)),
        ms(invokeOf(fn.label)),
        (initOf(fn.label) / initOf(baseline.label)).toFixed(2),
        cpuRatio.toFixed(2),
        flags.join('; '),
      ];
    });
    const baselineRows = [...baselines.values()].map((baseline) => [
      baseline.label,
      'baseline',
      kb(baseline.jsBytes),
      kb(baseline.mapBytes),
      ms(initOf(baseline.label)),
      ms(initCpuOf(baseline.label)),
      ms(invokeOf(baseline.label)),
      '',
      '',
      '',
    ]);
    console.log(
      table(
        [
          'function',
          'SDK clients',
          'JS KB',
          'map KB',
          'init ms',
          'init CPU ms',
          'invoke ms',
          'init ÷ baseline',
          'CPU ÷ baseline',
          'flags',
        ],
        [...rows, ...baselineRows],
        [2, 3, 4, 5, 6, 7, 8],
      ),
    );

    if (sourceMapSubject) {
      const [withLabel, withoutLabel] = [true, false].map(
        (enabled) => withSourceMaps(sourceMapSubject, enabled).label,
      ) as [string, string];
      const compare = (of: (label: string) => number) =>
        `${ms(of(withLabel))} ms with ${SOURCE_MAPS_FLAG}, ${ms(of(withoutLabel))} ms without ` +
        `(× ${(of(withLabel) / of(withoutLabel)).toFixed(2)})`;
      console.log(
        `\n${SOURCE_MAP_SUBJECT} init: ${compare(initOf)}; in CPU time ${compare(initCpuOf)}; ` +
          `its map is ${kb(sourceMapSubject.mapBytes)} KB`,
      );
    }
    return 0;
  } finally {
    for (const stop of stoppers.reverse()) await stop().catch((error) => console.error(`stop: ${error}`));
    await rm(workDir, { recursive: true, force: true });
  }
}

async function nodeVersion(): Promise<string> {
  return (await run(nodeBin, ['--version'])).stdout.trim();
}

process.exitCode = await main().catch((error: Error) => {
  console.error(`bench:cold could not measure: ${error.message}`);
  return 1;
});
