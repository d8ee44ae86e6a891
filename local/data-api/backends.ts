import { mkdir } from 'node:fs/promises';
import { PGlite, protocol } from '@electric-sql/pglite';
import mysql2 from 'mysql2/promise';
import pg from 'pg';
import { type Dialect, mysql, postgresql } from './dialects.js';
import { mysqlReadsBytes } from './mysql-values.js';
import type { ResultColumn } from './values.js';

/**
 * A statement's result with every value in the database's text form (bytes for MySQL's binary
 * columns), converted to fields by the backend's {@link Dialect}.
 */
export interface QueryResult {
  columns: ResultColumn[];
  rows: Array<Array<string | Uint8Array | null>>;
  /** Rows inserted, updated or deleted. */
  affectedRows: number;
  /** MySQL: the AUTO_INCREMENT value the statement generated, 0 when none. */
  insertId?: number;
}

export type Bindable = string | Uint8Array | null;

/** One connection held for a transaction's lifetime. */
export interface Session {
  query(text: string, values: Bindable[]): Promise<QueryResult>;
  release(): Promise<void>;
}

/**
 * Where the Data API endpoint runs SQL: one statement outside a transaction, or a session that holds a
 * connection; its dialect says how statements are written and results read.
 *
 * `role` names the database role the SQL runs as, switched to with SET ROLE on the connection (PostgreSQL
 * only: `switchesRoles`); omitted, the connection's own user runs it.
 */
export interface SqlBackend {
  dialect: Dialect;
  /** Whether `role` is honoured; MySQL has no SET ROLE that narrows what the connection's user may do. */
  switchesRoles: boolean;
  query(text: string, values: Bindable[], role?: string): Promise<QueryResult>;
  session(role?: string): Promise<Session>;
  close(): Promise<void>;
}

/** The statement that makes `role` (or, undefined, the connection's own user) the one SQL runs as. */
const setRole = (role: string | undefined) => (role === undefined ? 'RESET ROLE' : `SET ROLE ${role}`);

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
  const lock = new Mutex();
  // The one session's role, switched only when a call needs another.
  let currentRole: string | undefined;
  const runAs = async (role: string | undefined) => {
    if (role === currentRole) return;
    await db.exec(setRole(role));
    currentRole = role;
  };

  // One exchange with PGlite per statement: Parse, Bind, Describe, Execute and Sync go in one buffer, and
  // PostgreSQL answers them in order. `db.query` makes six, describing the statement first to choose a
  // serializer per parameter; here parameters are already text, or bytes (sent in binary), and results stay
  // in PostgreSQL's text form, which is what the Data API endpoint converts (as with a real PostgreSQL).
  const run = async (text: string, values: Bindable[]): Promise<QueryResult> => {
    const { messages } = await db.execProtocol(
      concatenate([
        protocol.serialize.parse({ text }),
        protocol.serialize.bind({ values }),
        protocol.serialize.describe({ type: 'P' }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]),
    );
    const result: QueryResult = { columns: [], rows: [], affectedRows: 0 };
    for (const message of messages) {
      if (message instanceof protocol.messages.RowDescriptionMessage) {
        result.columns = message.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID }));
      } else if (message instanceof protocol.messages.DataRowMessage) {
        result.rows.push(message.fields);
      } else if (message instanceof protocol.messages.CommandCompleteMessage) {
        result.affectedRows = affectedRowsOf(message.text);
      }
    }
    return result;
  };

  return {
    dialect: postgresql,
    switchesRoles: true,
    async query(text, values, role) {
      const release = await lock.acquire();
      try {
        await runAs(role);
        return await run(text, values);
      } finally {
        release();
      }
    },
    async session(role) {
      const release = await lock.acquire();
      try {
        await runAs(role);
      } catch (error) {
        release();
        throw error;
      }
      return { query: run, release: async () => release() };
    },
    async close() {
      await db.close();
    },
  };
}

/** The protocol messages of one exchange, as one buffer. */
function concatenate(messages: Uint8Array[]): Uint8Array {
  const buffer = new Uint8Array(messages.reduce((length, message) => length + message.length, 0));
  let offset = 0;
  for (const message of messages) {
    buffer.set(message, offset);
    offset += message.length;
  }
  return buffer;
}

/** Rows a command tag says were written (`INSERT 0 2`, `UPDATE 3`); none for any other command. */
function affectedRowsOf(commandTag: string): number {
  const [command = '', ...counts] = commandTag.split(' ');
  return ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(command) ? Number(counts.at(-1) ?? 0) : 0;
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
  // Each pooled connection's role, switched only when a call needs another.
  const roles = new WeakMap<pg.PoolClient, string | undefined>();
  const connect = async (role: string | undefined) => {
    const client = await pool.connect();
    try {
      if (roles.get(client) !== role) {
        await client.query(setRole(role));
        roles.set(client, role);
      }
    } catch (error) {
      client.release();
      throw error;
    }
    return client;
  };

  await pool.query('SELECT 1'); // fail at start, not on the first request, when the server is unreachable
  return {
    dialect: postgresql,
    switchesRoles: true,
    async query(text, values, role) {
      const client = await connect(role);
      try {
        return toResult(await client.query({ text, values: bind(values), rowMode: 'array' }));
      } finally {
        client.release();
      }
    },
    async session(role) {
      const client = await connect(role);
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

/**
 * A MySQL or MariaDB server (`mysql://` or `mariadb://` URL) through a connection pool; a transaction
 * checks out one pooled connection. Sessions run in UTC, and count the rows an UPDATE matched rather
 * than changed, as the service's driver does.
 *
 * @example
 * const backend = await createMysqlBackend('mysql://root@127.0.0.1:3306/albums');
 */
export async function createMysqlBackend(connectionUrl: string): Promise<SqlBackend> {
  const url = new URL(connectionUrl);
  url.protocol = 'mysql:';
  const pool = mysql2.createPool({
    uri: url.href,
    connectionLimit: 10,
    flags: ['FOUND_ROWS'],
    // Values stay as MySQL sent them; mysql-values.ts converts them the Data API's way.
    typeCast: (field) => field.buffer(),
  });
  pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });
  const run = async (connection: mysql2.Pool | mysql2.PoolConnection, text: string) => {
    const [result, fields] = await connection.query<mysql2.RowDataPacket[] | mysql2.ResultSetHeader>({
      sql: text,
      rowsAsArray: true,
    });
    if (!Array.isArray(result)) {
      return { columns: [], rows: [], affectedRows: result.affectedRows, insertId: result.insertId };
    }
    const columns = (fields ?? []).map(toColumn);
    const rows = (result as unknown as Array<Array<Buffer | null>>).map((row) =>
      row.map((value, index) =>
        value === null || mysqlReadsBytes(columns[index] as ResultColumn) ? value : value.toString('utf8'),
      ),
    );
    return { columns, rows, affectedRows: 0 };
  };

  await pool.query('SELECT 1'); // fail at start, not on the first request, when the server is unreachable
  return {
    dialect: mysql,
    switchesRoles: false,
    // Parameters arrive as literals in the text (see the mysql dialect), so there are no values to bind.
    query: (text) => run(pool, text),
    async session() {
      const connection = await pool.getConnection();
      return { query: (text) => run(connection, text), release: async () => connection.release() };
    },
    async close() {
      await pool.end();
    },
  };
}

const BINARY_CHARSET = 63;

function toColumn(field: mysql2.FieldPacket): ResultColumn {
  return {
    name: field.name,
    typeId: field.columnType ?? 0,
    length: field.columnLength ?? 0,
    flags: typeof field.flags === 'number' ? field.flags : 0,
    binary: field.characterSet === BINARY_CHARSET,
  };
}
