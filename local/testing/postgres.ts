import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ScratchDatabase } from './mysql.js';

/** The PostgreSQL server PostgreSQL runs use: `DATA_API_TEST_POSTGRES_URL`, else the usual local one. */
export const postgresUrl =
  process.env.DATA_API_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether a PostgreSQL server answers at {@link postgresUrl}, within two seconds. */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** An empty database on the PostgreSQL server, so runs never share tables (roles are the server's). */
export async function createPostgresScratchDatabase(): Promise<ScratchDatabase> {
  const name = `albums_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => run(`DROP DATABASE IF EXISTS ${name}`) };
}
