import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { createDatabase } from '../lib/database.js';
import { applyMigrations, readMigrations } from '../lib/migrations.js';
import { startDataApiServer } from './data-api/server.js';
import { startObjectStore } from './object-store.js';
import { startServerlessOffline } from './offline.js';
import { freePort } from './ports.js';
import { declaredBuckets, localName, readServerlessConfig } from './serverless-config.js';

export interface LocalStackOptions {
  /** Port of the HTTP API (default 3000; 0 picks a free one). */
  port?: number;
  /** Where the database and objects live across restarts (default `.local-data`); omitted with `ephemeral`. */
  dataDir?: string;
  /** Use a real PostgreSQL server instead of embedded PGlite. */
  databaseUrl?: string;
  /** Free ports everywhere and a temporary data folder removed on stop: for tests. */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  dataApiUrl: string;
  s3Url: string;
  lambdaUrl: string;
  /** The environment the functions run with (endpoints, ARNs, bucket names, credentials). */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

const projectRoot = resolve(import.meta.dirname, '..');

/** Credentials the emulators accept; the SDK needs some to sign with. */
const localCredentials = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
};

/**
 * Starts the whole service on this machine: the Data API endpoint (PGlite or PostgreSQL), S3, the
 * database migrations, and serverless-offline serving the functions of serverless.yml.
 *
 * @example
 * const stack = await startLocalStack({ ephemeral: true });
 * await fetch(`${stack.apiUrl}/albums`);
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const ephemeral = options.ephemeral ?? false;
  const dataDir = ephemeral
    ? await mkdtemp(join(tmpdir(), 'album-stack-'))
    : resolve(projectRoot, options.dataDir ?? '.local-data');
  const port = (name: string, fallback: number) => (ephemeral ? 0 : Number(process.env[name] ?? fallback));

  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch((error) => log(`stop: ${error}`));
    if (ephemeral) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const dataApi = await startDataApiServer({
      port: port('DATA_API_PORT', 4010),
      host: '127.0.0.1',
      databaseUrl: options.databaseUrl,
      dataDir: options.databaseUrl ? undefined : join(dataDir, 'pglite'),
      log,
    });
    stoppers.push(() => dataApi.close());

    const objectStoreEnv = { ...process.env, ...localCredentials };
    const config = await readServerlessConfig(projectRoot, objectStoreEnv);
    const objectStore = await startObjectStore({
      port: port('S3_PORT', 4569),
      host: '127.0.0.1',
      dataDir: join(dataDir, 's3'),
      buckets: declaredBuckets(config),
      log,
    });
    stoppers.push(() => objectStore.close());

    const environment: Record<string, string> = {
      ...localCredentials,
      DATA_API_ENDPOINT: dataApi.url,
      S3_ENDPOINT: objectStore.url,
      DB_CLUSTER_ARN: config.params.local.dbClusterArn ?? '',
      DB_SECRET_ARN: config.params.local.dbSecretArn ?? '',
      DB_NAME: config.custom.databaseName,
      COVERS_BUCKET: localName(config, 'CoversBucket'),
    };

    const applied = await migrate(environment);
    log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'Database schema is up to date');

    const apiPort = options.port ?? (ephemeral ? await freePort() : Number(process.env.PORT ?? 3000));
    const lambdaPort = ephemeral ? await freePort() : Number(process.env.LAMBDA_PORT ?? 3002);
    const offline = await startServerlessOffline({
      cwd: projectRoot,
      env: { ...environment, PORT: String(apiPort), LAMBDA_PORT: String(lambdaPort) },
      log,
    });
    stoppers.push(() => offline.stop());

    return {
      apiUrl: `http://localhost:${apiPort}`,
      dataApiUrl: dataApi.url,
      s3Url: objectStore.url,
      lambdaUrl: `http://localhost:${lambdaPort}`,
      environment,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function migrate(environment: Record<string, string>): Promise<number[]> {
  const client = new RDSDataClient({
    endpoint: environment.DATA_API_ENDPOINT,
    region: environment.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = createDatabase({
    client,
    clusterArn: environment.DB_CLUSTER_ARN ?? '',
    secretArn: environment.DB_SECRET_ARN ?? '',
    name: environment.DB_NAME ?? '',
  });
  try {
    return await applyMigrations(db, await readMigrations(join(projectRoot, 'db', 'migrations')));
  } finally {
    client.destroy();
  }
}
