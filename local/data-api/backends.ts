import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type ResultColumn, TEXT_RESULT_OIDS } from './values.js';

/** A statement's result with every value in PostgreSQL's text form (converted by values.ts). */
export interface QueryResult {
  columns: ResultColumn[];
  rows: Array<Array<string | null>>;
  /** Rows inserted, updated or deleted. */
  affectedRows: number;
}

export type Bindable = string | Uint8Array | null;

/** One connection held for a transaction's lifetime. */
export interface Session {
  query(text: string, values: Bindable[]): Promise<QueryResult>;
  release(): Promise<void>;
}

/**
 * Where the Data API endpoint runs SQL. Kept small so other dialects (MySQL) can be added beside
 * PostgreSQL: one statement outside a transaction, or a session that holds a connection.
 */
export interface SqlBackend {
  query(text: string, values: Bindable[]): Promise<QueryResult>;
  session(): Promise<Session>;
  close(): Promise<void>;
}

/** A FIFO lock: `acquire` resolves with the function that releases it. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return acquired;
  }
}

/**
 * Embedded PostgreSQL (PGlite). It has a single session, so work is serialised: a transaction holds the
 * session until it ends, and a statement from outside waits for it rather than running inside it.
 */
export async function createPgliteBackend(dataDir?: string): Promise<SqlBackend> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  await db.exec("SET TIME ZONE 'UTC'");
  const asText = Object.fromEntries(TEXT_RESULT_OIDS.map((oid) => [oid, (text: string) => text]));
  const lock = new Mutex();

  const run = async (text: string, values: Bindable[]): Promise<QueryResult> => {
    const result = await db.query<unknown[]>(text, values, { rowMode: 'array', parsers: asText });
    return {
      columns: result.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
      rows: result.rows.map((row) => row.map((value) => (value === null ? null : String(value)))),
      affectedRows: result.affectedRows ?? 0,
    };
  };

  return {
    async query(text, values) {
      const release = await lock.acquire();
      try {
        return await run(text, values);
      } finally {
        release();
      }
    },
    async session() {
      const release = await lock.acquire();
      return { query: run, release: async () => release() };
    },
    async close() {
      await db.close();
    },
  };
}

/** A real PostgreSQL server through a connection pool; a transaction checks out one pooled client. */
export async function createPostgresBackend(connectionString: string): Promise<SqlBackend> {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Values stay in PostgreSQL's text form; values.ts converts them the Data API's way.
    types: { getTypeParser: () => (text: string) => text },
  });
  pool.on('connect', (client) => {
    client.query("SET TIME ZONE 'UTC'").catch(() => undefined);
  });
  const toResult = (result: pg.QueryResult<unknown[]>): QueryResult => ({
    columns: result.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
    rows: result.rows as Array<Array<string | null>>,
    affectedRows: ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command)
      ? (result.rowCount ?? 0)
      : 0,
  });
  const bind = (values: Bindable[]) =>
    values.map((value) => (value instanceof Uint8Array ? Buffer.from(value) : value));

  await pool.query('SELECT 1'); // fail at start, not on the first request, when the server is unreachable
  return {
    async query(text, values) {
      return toResult(await pool.query({ text, values: bind(values), rowMode: 'array' }));
    },
    async session() {
      const client = await pool.connect();
      return {
        query: async (text, values) =>
          toResult(await client.query({ text, values: bind(values), rowMode: 'array' })),
        release: async () => client.release(),
      };
    },
    async close() {
      await pool.end();
    },
  };
}
