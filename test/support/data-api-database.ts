import { resolve } from 'node:path';
import { startDataApiServer } from '@album-service/local/data-api';
import {
  createScratchDatabase,
  mysqlReachable,
  mysqlUrl,
  type ScratchDatabase,
} from '@album-service/local/testing/mysql';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { createDatabase, type Database, type Engine } from '../../lib/db/database.js';
import { applyMigrations, migrationsFolder, readMigrations } from '../../lib/db/migrations.js';

/** A migrated database behind an in-process Data API endpoint, for tests of the SQL a module runs. */
export interface DataApiDatabase {
  db: Database;
  /** The SDK client `db` calls through, for tests that script calls of their own beside it. */
  client: RDSDataClient;
  close(): Promise<void>;
}

export interface DataApiDatabaseOptions {
  /**
   * The throwaway database on a real server to run on; by default a scratch database on the MySQL server for
   * `mysql`, embedded PGlite for `postgresql`.
   */
  scratch?: () => Promise<ScratchDatabase>;
  /** Every migration applied first (default); false leaves the database empty, for the migrations' own tests. */
  migrated?: boolean;
}

/** An engine a module's SQL is tested on, and whether its server answers here. */
export interface TestEngine {
  name: string;
  engine: Engine;
  available: boolean;
}

/**
 * The engines every dialect of the SQL is tested on: PostgreSQL on PGlite, in process, always; MySQL on
 * the MariaDB or MySQL server at `MYSQL_URL` when it answers (a warning says so when it does not).
 */
export async function testEngines(): Promise<TestEngine[]> {
  const hasMysql = await mysqlReachable();
  if (!hasMysql) console.warn(`MySQL/MariaDB at ${mysqlUrl} (MYSQL_URL) is unreachable: its run is skipped`);
  return [
    { name: 'PGlite', engine: 'postgresql', available: true },
    { name: 'MariaDB', engine: 'mysql', available: hasMysql },
  ];
}

/**
 * Starts the local Data API endpoint on a fresh database of `engine` (PGlite in process, or a scratch
 * database on a server) with every migration applied; `close` stops it and drops the database.
 */
export async function openDataApiDatabase(
  engine: Engine = 'postgresql',
  { scratch: createScratch, migrated = true }: DataApiDatabaseOptions = {},
): Promise<DataApiDatabase> {
  const scratch = await (createScratch ?? (engine === 'mysql' ? createScratchDatabase : undefined))?.();
  const server = await startDataApiServer({ databaseUrl: scratch?.url });
  const client = new RDSDataClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = createDatabase({
    client,
    clusterArn: 'arn:cluster',
    secretArn: 'arn:secret',
    name: 'albums',
    engine,
  });
  const root = resolve(import.meta.dirname, '../../db/migrations');
  if (migrated) await applyMigrations(db, await readMigrations(migrationsFolder(root, engine)));
  return {
    db,
    client,
    async close() {
      client.destroy();
      await server.close();
      await scratch?.drop();
    },
  };
}
