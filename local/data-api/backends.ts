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

  // One exchange with PGlite per statement: the protocol's messages for it go in one buffer and PostgreSQL
  // answers them in order (`db.query` makes six exchanges, describing the statement first to choose a
  // serializer per parameter). Parameters are already text, or bytes (sent in binary), and results stay in
  // PostgreSQL's text form, which is what the Data API endpoint converts, as with a real PostgreSQL.
  const statements = new PreparedStatements();
  const runOnce = async (text: string, values: Bindable[]): Promise<QueryResult> => {
    const { name, parse, closing } = statements.lookUp(text);
    const messages = [
      ...closing,
      ...(parse ? [protocol.serialize.parse({ name, text })] : []),
      protocol.serialize.bind({ statement: name, values }),
      protocol.serialize.describe({ type: 'P' }),
      protocol.serialize.execute({}),
      protocol.serialize.sync(),
    ];
    try {
      return resultOf((await db.execProtocol(concatenate(messages))).messages);
    } catch (error) {
      // A statement that failed as it was parsed may have no name in the session; one whose plan went stale
      // (a table it reads was altered since) must be parsed again.
      if (parse || isStalePlan(error)) statements.forget(text);
      throw error;
    }
  };
  const run = async (text: string, values: Bindable[]): Promise<QueryResult> => {
    // After a change to the schema every kept plan is dropped, so none goes stale in a transaction, where
    // it could not be parsed again; one that went stale another way is, outside a transaction.
    if (SCHEMA_CHANGE.test(text)) statements.forgetAll();
    try {
      return await runOnce(text, values);
    } catch (error) {
      if (!isStalePlan(error) || db.isInTransaction()) throw error;
      return await runOnce(text, values);
    }
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

/**
 * The statements the PGlite session keeps parsed and planned, by their text. A statement the functions
 * send again (nearly all of them) then skips PostgreSQL's parse, analysis and planning. At most
 * {@link PreparedStatements.LIMIT} are kept; the least recently used is closed with the next exchange.
 */
class PreparedStatements {
  static readonly LIMIT = 256;
  #names = new Map<string, string>();
  #closing: Uint8Array[] = [];
  #counter = 0;

  /** The statement's name, whether it must be parsed first, and the statements to close before it. */
  lookUp(text: string): { name: string; parse: boolean; closing: Uint8Array[] } {
    const closing = this.#closing.splice(0);
    const known = this.#names.get(text);
    if (known !== undefined) {
      this.#names.delete(text);
      this.#names.set(text, known);
      return { name: known, parse: false, closing };
    }
    const name = `data_api_${++this.#counter}`;
    this.#names.set(text, name);
    for (const [oldest, oldestName] of this.#names) {
      if (this.#names.size <= PreparedStatements.LIMIT) break;
      this.#names.delete(oldest);
      this.#closing.push(protocol.serialize.close({ type: 'S', name: oldestName }));
    }
    return { name, parse: true, closing };
  }

  /** Drops every statement, closed with the next exchange. */
  forgetAll(): void {
    for (const text of [...this.#names.keys()]) this.forget(text);
  }

  /** Drops a statement, closed with the next exchange (closing one the session lacks is no error). */
  forget(text: string): void {
    const name = this.#names.get(text);
    if (name === undefined) return;
    this.#names.delete(text);
    this.#closing.push(protocol.serialize.close({ type: 'S', name }));
  }
}

/** The result of one statement's exchange, from PostgreSQL's replies. */
function resultOf(messages: Array<object>): QueryResult {
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
}

/** Statements that may change what a kept plan reads. */
const SCHEMA_CHANGE = /^\s*(ALTER|DROP|CREATE|TRUNCATE)\b/i;

/** PostgreSQL's refusal to run a kept plan whose result columns a later ALTER TABLE changed. */
function isStalePlan(error: unknown): boolean {
  return (
    (error as { code?: string }).code === '0A000' &&
    /cached plan must not change result type/.test(String((error as Error).message))
  );
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

/** The PostgreSQL commands whose row count is what the Data API reports as records updated. */
const WRITE_COMMANDS = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'];

/** Rows a command tag says were written (`INSERT 0 2`, `UPDATE 3`); none for any other command. */
function affectedRowsOf(commandTag: string): number {
  const [command = '', ...counts] = commandTag.split(' ');
  return WRITE_COMMANDS.includes(command) ? Number(counts.at(-1) ?? 0) : 0;
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
    affectedRows: WRITE_COMMANDS.includes(result.command) ? (result.rowCount ?? 0) : 0,
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
