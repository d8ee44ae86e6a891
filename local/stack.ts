import { randomUUID } from 'node:crypto';
import { cpSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { applyDatabaseUsers, DATABASE_USERS } from '../db/users.js';
import { createDatabase, type Engine } from '../lib/db/database.js';
import { applyMigrations, migrationsFolder, readMigrations } from '../lib/db/migrations.js';
import { CORRELATION_ID_ATTRIBUTE } from '../lib/reviews/messages.js';
import { startApiFront } from './api-front.js';
import { jwtAuthorizer } from './auth/jwt-authorizer.js';
import { createLocalOpenIdProvider } from './auth/provider.js';
import { LOCAL_CREDENTIALS } from './credentials.js';
import { startDataApiServer } from './data-api/server.js';
import { type RunningOffline, startServerlessOffline } from './offline.js';
import { freePort } from './ports.js';
import { postJson } from './post-json.js';
import { createRequestHistory, invokeBatch } from './request-history.js';
import type { RequestLimits } from './request-limits.js';
import { startS3EventSource } from './s3/event-source.js';
import { startObjectStore } from './s3/object-store.js';
import { seedSampleAlbum } from './sample-album.js';
import {
  declaredBuckets,
  declaredQueues,
  httpRoutes,
  jwtAuthorizers,
  localName,
  readServerlessConfig,
  s3Triggers,
  scheduleTriggers,
  sqsTriggers,
} from './serverless-config.js';
import { startSqsEventSource } from './sqs/event-source.js';
import { localQueueArn, localQueueUrl, startQueues } from './sqs/queues.js';
import { startTcpLink, type TcpLink } from './tcp-link.js';
import { stageThrottle, stageThrottling } from './throttle.js';

export interface LocalStackOptions {
  /** Port of the HTTP API (default 3000; 0 picks a free one). */
  port?: number;
  /** Where the database, objects and queues live across restarts (default `.local-data`). */
  dataDir?: string;
  /**
   * Use a real database instead of embedded PGlite: PostgreSQL (`postgres://`), or MySQL/MariaDB
   * (`mysql://`, `mariadb://`), which runs the functions' and the migrations' MySQL forms as on Aurora MySQL.
   */
  databaseUrl?: string;
  /** Free ports everywhere, and (unless `dataDir` is given) a temporary data folder removed on stop: for tests. */
  ephemeral?: boolean;
  /**
   * A folder where {@link buildFunctions} built the functions: they are served from there rather than built
   * again, as tests that start many stacks from the same sources do.
   */
  functionsBuildDir?: string;
  /**
   * An empty embedded database made by {@link createDatabaseTemplate}, copied to start from when the data
   * folder has none yet, rather than creating one (seconds of CPU each, for tests that start many stacks).
   */
  databaseTemplateDir?: string;
  /** Route the functions' SQS traffic through a link tests can cut, to take the queue away mid-run. */
  interruptibleQueue?: boolean;
  /** Route the functions' Data API traffic through a link tests can cut or freeze. */
  interruptibleDatabase?: boolean;
  /**
   * Keeps the demo album the sample events in events/ name (created when missing), as `npm start` does;
   * off for tests, which count what they create.
   */
  sampleAlbum?: boolean;
  /**
   * Runs the scheduled functions (serverless.yml `schedule` events) this often instead of at their rate, and
   * has the cover sweeper judge uploads pending this long (`afterSeconds`), so tests see a sweep in seconds.
   */
  coverSweep?: { everyMs: number; afterSeconds: number };
  /** Delivers no bucket notifications, as if every one were lost: only the sweeper judges uploads. */
  withoutBucketNotifications?: boolean;
  /**
   * The front answers 429 over the HTTP API stage's throttling, as API Gateway would (local/throttle.ts).
   * On by default, off by default for an ephemeral stack: a test's or a bench's own pace is not what the
   * limits are sized for.
   */
  throttle?: boolean;
  /**
   * Settings serverless.yml reads from the environment (`${env:…}`, such as ALBUM_CACHE_TTL_SECONDS), over
   * this process's own: for a stack whose functions should run with other values than `npm start`'s.
   */
  settings?: Record<string, string>;
  /** Overrides every queue's visibility timeout, so tests see redeliveries in seconds. */
  queueVisibilityTimeoutSeconds?: number;
  /** Overrides API Gateway's limits on requests (30 s to arrive), so tests see a stalled request cut in seconds. */
  requestLimits?: Partial<RequestLimits>;
  log?: (line: string) => void;
  /** Have serverless-offline log every request it serves (off by default: several lines each, costly under load). */
  logRequests?: boolean;
  /**
   * Called when a part of the stack died and could not be brought back; the stack is then half-dead and
   * should be stopped. Without it, such a failure is only logged.
   */
  onFailure?: (error: Error) => void;
}

export interface LocalStack {
  apiUrl: string;
  dataApiUrl: string;
  s3Url: string;
  sqsUrl: string;
  lambdaUrl: string;
  /** The local OpenID provider: its issuer URL (the tokens' `iss`) and the client id the API accepts. */
  auth: { issuer: string; clientId: string; keyFile: string };
  /** Queue URLs by their logical id in serverless.yml. */
  queueUrls: Record<string, string>;
  /** The environment the functions run with (endpoints, ARNs, names, credentials). */
  environment: Record<string, string>;
  /** With `interruptibleQueue`: cuts, freezes and restores the functions' connection to SQS. */
  queueLink?: Pick<TcpLink, 'cut' | 'freeze' | 'restore'>;
  /** With `interruptibleDatabase`: the same for the functions' connection to the Data API. */
  databaseLink?: Pick<TcpLink, 'cut' | 'freeze' | 'restore'>;
  stop(): Promise<void>;
}

const projectRoot = resolve(import.meta.dirname, '..');
const REGION = 'us-east-1';
/** serverless-offline is restarted after an unexpected exit, unless it already was this often in a minute. */
const OFFLINE_RESTARTS_PER_MINUTE = 3;
const awsCredentials = {
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_REGION: REGION,
};

/**
 * Starts the whole service on this machine: the Data API endpoint (PGlite or PostgreSQL), S3 and SQS with
 * what serverless.yml declares, the database migrations, serverless-offline serving the functions, and
 * the queue triggers that feed them.
 *
 * @example
 * const stack = await startLocalStack({ ephemeral: true });
 * await fetch(`${stack.apiUrl}/albums`);
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const ephemeral = options.ephemeral ?? false;
  const temporaryData = ephemeral && options.dataDir === undefined;
  const dataDir = temporaryData
    ? await mkdtemp(join(tmpdir(), 'album-stack-'))
    : resolve(projectRoot, options.dataDir ?? '.local-data');
  const port = (name: string, fallback: number) => (ephemeral ? 0 : Number(process.env[name] ?? fallback));

  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch((error) => log(`stop: ${error}`));
    if (temporaryData) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const apiPort = options.port ?? (ephemeral ? await freePort() : Number(process.env.PORT ?? 3000));
    const lambdaPort = ephemeral ? await freePort() : Number(process.env.LAMBDA_PORT ?? 3002);
    // The web page is served by the API, so its origin is the one the bucket's CORS rules must allow.
    const webOrigin = process.env.WEB_ORIGIN ?? `http://localhost:${apiPort},http://127.0.0.1:${apiPort}`;
    // The local OpenID provider answers under the API's own origin, as the issuer the authorizer names.
    const authIssuer = `http://localhost:${apiPort}/auth`;
    const databaseDir = options.databaseUrl ? undefined : join(dataDir, 'pglite');
    const readingConfig = readServerlessConfig(projectRoot, {
      ...process.env,
      ...options.settings,
      ...awsCredentials,
      WEB_ORIGIN: webOrigin,
      AUTH_ISSUER: authIssuer,
    });
    // Copied while `serverless print` runs in its own process. Synchronously: the promise-based copy takes
    // several times as long on the embedded database's thousand small files.
    if (databaseDir && options.databaseTemplateDir && !existsSync(databaseDir)) {
      cpSync(options.databaseTemplateDir, databaseDir, { recursive: true });
    }
    const config = await readingConfig;
    const authKeyFile = join(dataDir, 'auth', 'signing-key.json');
    const openIdProvider = await createLocalOpenIdProvider({
      issuer: authIssuer,
      clientId: config.params.local.authAudience ?? '',
      keyFile: authKeyFile,
    });

    // The front's recent requests and their hops, at /__requests (local/request-history.ts): the emulators
    // tell it each call they serve, with the trace the call carried.
    const history = createRequestHistory();
    const dataApi = await startDataApiServer({
      port: port('DATA_API_PORT', 4010),
      databaseUrl: options.databaseUrl,
      dataDir: databaseDir,
      // The functions' secrets (serverless.yml) run as their users, as on Aurora; the master's as the
      // connection's own user.
      secretRoles: {
        [config.params.local.dbReaderSecretArn ?? '']: DATABASE_USERS.reader,
        [config.params.local.dbWriterSecretArn ?? '']: DATABASE_USERS.writer,
      },
      log,
      onCall: (call) =>
        history.noteCall(
          call.traceHeader,
          `data-api: ${statementName(call.operation, call.sql)}`,
          call.durationMs,
        ),
    });
    stoppers.push(() => dataApi.close());

    const objectStore = await startObjectStore({
      port: port('S3_PORT', 4569),
      dataDir: join(dataDir, 's3'),
      buckets: declaredBuckets(config),
      log,
      onCall: (call) =>
        history.noteCall(call.traceHeader, `s3: ${call.method} ${call.path} ${call.status}`, call.durationMs),
    });
    stoppers.push(() => objectStore.close());

    const queueDeclarations = declaredQueues(config, localQueueArn).map((queue) =>
      options.queueVisibilityTimeoutSeconds === undefined
        ? queue
        : {
            ...queue,
            attributes: {
              ...queue.attributes,
              VisibilityTimeout: String(options.queueVisibilityTimeoutSeconds),
            },
          },
    );
    const queues = await startQueues({
      port: port('SQS_PORT', 9324),
      dataDir: join(dataDir, 'sqs'),
      queues: queueDeclarations,
      log,
    });
    stoppers.push(() => queues.close());
    const queueUrls = Object.fromEntries(
      queueDeclarations.map((queue) => [queue.logicalId, queues.queueUrl(queue.name)]),
    );

    const link = async (wanted: boolean | undefined, targetPort: number) => {
      if (!wanted) return undefined;
      const started = await startTcpLink({ targetPort });
      stoppers.push(() => started.close());
      return started;
    };
    const queueLink = await link(options.interruptibleQueue, queues.port);
    const databaseLink = await link(options.interruptibleDatabase, dataApi.port);
    const functionsSqsEndpoint = queueLink ? `http://127.0.0.1:${queueLink.port}` : queues.url;

    const environment: Record<string, string> = {
      ...awsCredentials,
      DATA_API_ENDPOINT: databaseLink ? `http://127.0.0.1:${databaseLink.port}` : dataApi.url,
      S3_ENDPOINT: objectStore.url,
      SQS_ENDPOINT: functionsSqsEndpoint,
      DB_CLUSTER_ARN: config.params.local.dbClusterArn ?? '',
      DB_SECRET_ARN: config.params.local.dbSecretArn ?? '',
      DB_NAME: config.custom.databaseName,
      DB_ENGINE: engineOf(options.databaseUrl),
      COVERS_BUCKET: localName(config, 'CoversBucket'),
      REVIEWS_QUEUE_URL: localQueueUrl(functionsSqsEndpoint, localName(config, 'ReviewsQueue')),
    };

    // Migrated while serverless-offline starts: nothing reaches the functions before the front opens below.
    const migrating = migrate(environment, options.sampleAlbum ?? false).then((applied) =>
      log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'Database schema is up to date'),
    );

    // serverless-offline serves the functions on an inner port; the API port belongs to a front door that
    // answers for it as API Gateway would (errors, unknown routes) and stays up while it restarts.
    const offlinePort = await freePort();
    const offlineEnv = {
      ...options.settings,
      ...environment,
      PORT: String(offlinePort),
      LAMBDA_PORT: String(lambdaPort),
      WEB_ORIGIN: webOrigin,
      AUTH_ISSUER: authIssuer,
      // Built into the data folder, where `serverless package` (which empties .esbuild/) never reaches.
      ...(options.functionsBuildDir
        ? { FUNCTIONS_BUILD_DIR: relative(projectRoot, options.functionsBuildDir), FUNCTIONS_PREBUILT: 'on' }
        : { FUNCTIONS_BUILD_DIR: relative(projectRoot, join(dataDir, 'functions')) }),
      ...(options.coverSweep ? { COVER_SWEEP_AFTER_SECONDS: String(options.coverSweep.afterSeconds) } : {}),
    };
    const offlineStarting = superviseOffline(
      () =>
        startServerlessOffline({
          cwd: projectRoot,
          env: offlineEnv,
          // The functions' lines that carry a request's correlation id are hops of that request.
          log: (line) => {
            history.noteLogLine(line);
            log(line);
          },
          logRequests: options.logRequests,
          onUnexpectedExit: (description) => offline.restart(description),
        }),
      log,
      options.onFailure,
    ).then((started) => {
      stoppers.push(() => started.stop());
      return started;
    });
    // Both settled before either's failure is thrown, so a serverless-offline that started is stopped with the rest.
    const [migration, offlineStart] = await Promise.allSettled([migrating, offlineStarting]);
    if (migration.status === 'rejected') throw migration.reason;
    if (offlineStart.status === 'rejected') throw offlineStart.reason;
    const offline = offlineStart.value;
    const front = await startApiFront({
      port: apiPort,
      routes: httpRoutes(config),
      upstreamPort: offlinePort,
      limits: options.requestLimits,
      authorizers: Object.fromEntries(
        Object.entries(jwtAuthorizers(config)).map(([name, settings]) => [name, jwtAuthorizer(settings)]),
      ),
      mounts: [{ pathPrefix: openIdProvider.pathPrefix, handle: openIdProvider.handle }],
      log,
      admit: (options.throttle ?? !ephemeral) ? stageThrottle(stageThrottling(config)) : undefined,
      history,
    });
    stoppers.push(() => front.close());
    const lambdaUrl = `http://localhost:${lambdaPort}`;

    const invokeFunction = functionInvoker(lambdaPort);
    stoppers.push(async () => invokeFunction.close());
    for (const trigger of sqsTriggers(config)) {
      const queueName = localName(config, trigger.queueLogicalId);
      const source = startSqsEventSource({
        endpoint: queues.url,
        queueUrl: queues.queueUrl(queueName),
        queueArn: queues.queueArn(queueName),
        batchSize: trigger.batchSize,
        maximumBatchingWindowSeconds: trigger.maximumBatchingWindowSeconds,
        reportBatchItemFailures: trigger.reportBatchItemFailures,
        invoke: (event) =>
          invokeBatch(history, trigger.functionName, CORRELATION_ID_ATTRIBUTE, event.Records, (traceId) =>
            invokeFunction(trigger.functionName, event, traceId),
          ) as Promise<SQSBatchResponse>,
        log,
      });
      stoppers.push(() => source.stop());
    }

    for (const trigger of scheduleTriggers(config)) {
      const timer = startSchedule(
        () => invokeFunction(trigger.functionName, scheduledEvent(trigger.functionName)),
        options.coverSweep?.everyMs ?? trigger.everyMs,
        (error) => log(`schedule: ${trigger.functionName} failed: ${error}`),
      );
      stoppers.push(() => timer.stop());
    }

    const destinations = new SQSClient({
      endpoint: queues.url,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    stoppers.push(async () => destinations.destroy());
    for (const trigger of options.withoutBucketNotifications ? [] : s3Triggers(config)) {
      const failureQueue = trigger.onFailureQueueLogicalId;
      const source = startS3EventSource({
        store: objectStore,
        bucket: localName(config, trigger.bucketLogicalId),
        prefix: trigger.prefix,
        invoke: (event) => invokeFunction(trigger.functionName, event),
        ...(failureQueue
          ? {
              onFailure: async (event, error, attempts) => {
                const record = invocationRecord(trigger.functionName, event, error, attempts);
                await destinations.send(
                  new SendMessageCommand({
                    QueueUrl: queues.queueUrl(localName(config, failureQueue)),
                    MessageBody: JSON.stringify(record),
                  }),
                );
              },
            }
          : {}),
        log,
      });
      stoppers.push(() => source.stop());
    }

    return {
      apiUrl: `http://localhost:${apiPort}`,
      dataApiUrl: dataApi.url,
      s3Url: objectStore.url,
      sqsUrl: queues.url,
      lambdaUrl,
      auth: { issuer: authIssuer, clientId: openIdProvider.clientId, keyFile: authKeyFile },
      queueUrls,
      environment,
      queueLink,
      databaseLink,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Builds the functions into `buildDir` as a stack would build them for itself, for stacks then started with
 * `functionsBuildDir`: serverless-offline starts once on free ports, which builds them, and stops.
 */
export async function buildFunctions(buildDir: string, log: (line: string) => void = () => undefined) {
  const offline = await startServerlessOffline({
    cwd: projectRoot,
    env: {
      PORT: String(await freePort()),
      LAMBDA_PORT: String(await freePort()),
      FUNCTIONS_BUILD_DIR: relative(projectRoot, buildDir),
    },
    // The build alone, which every stack started from it is spared: minutes on a busy machine.
    startTimeoutMs: 600_000,
    log,
  });
  await offline.stop();
}

/** Creates in `dir` the empty embedded database a stack creates on its first start, for `databaseTemplateDir`. */
export async function createDatabaseTemplate(dir: string): Promise<void> {
  const dataApi = await startDataApiServer({ dataDir: dir });
  await dataApi.close();
}

/**
 * Keeps serverless-offline running: after an unexpected exit it is started again (the API front answers
 * 503 meanwhile), unless that already happened {@link OFFLINE_RESTARTS_PER_MINUTE} times in a minute or the
 * restart fails, which is reported to `onFailure`.
 */
async function superviseOffline(
  start: () => Promise<RunningOffline>,
  log: (line: string) => void,
  onFailure: ((error: Error) => void) | undefined,
) {
  let current = await start();
  let stopped = false;
  const restarts: number[] = [];
  const fail = (error: Error) => {
    log(`Error: ${error.message}`);
    onFailure?.(error);
  };
  return {
    restart(description: string) {
      if (stopped) return;
      const now = Date.now();
      while (restarts.length > 0 && (restarts[0] ?? 0) < now - 60_000) restarts.shift();
      if (restarts.length >= OFFLINE_RESTARTS_PER_MINUTE) {
        fail(new Error(`${description}, and it already restarted ${restarts.length} times within a minute`));
        return;
      }
      restarts.push(now);
      log(`Error: ${description}; restarting it`);
      start().then(
        (restarted) => {
          if (stopped) void restarted.stop();
          else current = restarted;
        },
        (error: Error) => fail(new Error(`${description}, and restarting it failed: ${error.message}`)),
      );
    },
    async stop() {
      stopped = true;
      await current.stop();
    },
  };
}

/**
 * Invokes functions through serverless-offline's Lambda API (the Invoke action's path and answer), a function
 * error becoming a thrown error. A plain HTTP request rather than the SDK's Lambda client: the emulator checks
 * no signature, and the client's middleware and signing cost the event sources' process more than the
 * request itself (one invocation per cover, one per batch of reviews).
 */
function functionInvoker(lambdaPort: number) {
  const agent = new Agent({ keepAlive: true });
  // A trace id is passed as the Invoke API takes one, in X-Amzn-Trace-Id: the invocation runs under it.
  const invoke = async (functionName: string, event: unknown, traceId?: string) => {
    const answer = await postJson(
      {
        agent,
        host: '127.0.0.1',
        port: lambdaPort,
        path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
        headers: { 'content-type': 'application/json', ...(traceId && { 'x-amzn-trace-id': traceId }) },
      },
      event,
    );
    const body = answer.body.toString();
    if (answer.status !== 200 || answer.headers['x-amz-function-error'] !== undefined) {
      throw new Error(`${functionName} failed (${answer.status}): ${body}`);
    }
    return body ? (JSON.parse(body) as unknown) : undefined; // an answer that is not JSON fails the invocation
  };
  return Object.assign(invoke, { close: () => agent.destroy() });
}

/**
 * Runs `run` every `everyMs`, as EventBridge runs a scheduled function: never two at once here (a run that
 * overruns its period delays the next), and stopping waits for a run under way.
 */
function startSchedule(run: () => Promise<unknown>, everyMs: number, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= run()
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * What Lambda sends an on-failure destination for an asynchronous invocation that failed every attempt: the
 * event, and the function's last error.
 */
function invocationRecord(functionName: string, event: unknown, error: unknown, attempts: number) {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${REGION}:000000000000:function:${functionName}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorMessage: error instanceof Error ? error.message : String(error) },
  };
}

/** An EventBridge scheduled event, as Lambda receives one. */
function scheduledEvent(functionName: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: REGION,
    resources: [`arn:aws:events:${REGION}:000000000000:rule/${functionName}`],
    detail: {},
  };
}

/** A Data API call as the request history names it: the operation, and the start of its statement. */
function statementName(operation: string, sql: string | undefined): string {
  if (!sql) return operation;
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return `${operation} ${oneLine.length > 100 ? `${oneLine.slice(0, 99)}…` : oneLine}`;
}

/** The engine a database URL names; PGlite and `postgres://` are PostgreSQL. */
function engineOf(databaseUrl: string | undefined): Engine {
  return databaseUrl && /^(mysql|mariadb):/i.test(databaseUrl) ? 'mysql' : 'postgresql';
}

async function migrate(environment: Record<string, string>, sampleAlbum: boolean): Promise<number[]> {
  const engine = environment.DB_ENGINE === 'mysql' ? 'mysql' : 'postgresql';
  const client = new RDSDataClient({
    endpoint: environment.DATA_API_ENDPOINT,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const db = createDatabase({
    client,
    clusterArn: environment.DB_CLUSTER_ARN ?? '',
    secretArn: environment.DB_SECRET_ARN ?? '',
    name: environment.DB_NAME ?? '',
    engine,
  });
  try {
    const folder = migrationsFolder(join(projectRoot, 'db', 'migrations'), engine);
    const applied = await applyMigrations(db, await readMigrations(folder));
    // Without passwords: the endpoint switches to the users rather than signing in, and cannot on MySQL.
    if (engine === 'postgresql') await applyDatabaseUsers(db, environment.DB_NAME ?? '');
    if (sampleAlbum) await seedSampleAlbum(db);
    return applied;
  } finally {
    client.destroy();
  }
}
