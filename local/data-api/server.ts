import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body.js';
import {
  type Bindable,
  createMysqlBackend,
  createPgliteBackend,
  createPostgresBackend,
  type QueryResult,
  type Session,
  type SqlBackend,
} from './backends.js';
import type { Dialect } from './dialects.js';
import { badRequest, DataApiError, fieldToJson, type ResultOptions, type WireParameter } from './values.js';

export interface DataApiServerOptions {
  port?: number;
  host?: string;
  /**
   * A PostgreSQL (`postgres://`) or MySQL (`mysql://`, `mariadb://`) connection URL, which also chooses the
   * dialect the endpoint speaks, Aurora PostgreSQL's or Aurora MySQL's; without one, embedded PGlite runs
   * the SQL.
   */
  databaseUrl?: string;
  /** PGlite's data folder; omitted, the database lives in memory. */
  dataDir?: string;
  /** A transaction left idle this long is rolled back, as the service does after 3 minutes. */
  transactionTimeoutMs?: number;
  /**
   * The database role each secret signs in as, by secret ARN: a call made with one of these secrets runs
   * as that role (SET ROLE), so what the role may not do fails as it would on the service. A call with any
   * other secret runs as the connection's own user. PostgreSQL and PGlite only: on MySQL every secret
   * runs as the connection's user.
   */
  secretRoles?: Readonly<Record<string, string>>;
  log?: (line: string) => void;
  /** Told of each call served, with the trace header it carried (local/request-history.ts). */
  onCall?: (call: DataApiCall) => void;
}

/** A call the endpoint served: which operation, its statement, how long it took, and its caller's trace. */
export interface DataApiCall {
  operation: DataApiOperation;
  sql?: string;
  durationMs: number;
  /** The call's `X-Amzn-Trace-Id`: the AWS SDK sends the invocation's trace with every call a function makes. */
  traceHeader?: string;
}

/** The Data API operations the endpoint serves, by the path the SDK sends each to. */
const OPERATION_NAMES = {
  '/Execute': 'ExecuteStatement',
  '/BatchExecute': 'BatchExecuteStatement',
  '/BeginTransaction': 'BeginTransaction',
  '/CommitTransaction': 'CommitTransaction',
  '/RollbackTransaction': 'RollbackTransaction',
} as const;

export type DataApiOperation = (typeof OPERATION_NAMES)[keyof typeof OPERATION_NAMES];

/** Calls received since the endpoint started, by operation (malformed and failed calls included). */
export type DataApiStats = Record<DataApiOperation, number>;

/**
 * Local-only: `GET /__stats` answers the {@link DataApiStats} as JSON, so a benchmark can count the calls
 * each request makes. The service has no such path.
 */
export const STATS_PATH = '/__stats';

export interface DataApiServer {
  url: string;
  port: number;
  /** The calls received so far, by operation; also served at {@link STATS_PATH}. */
  stats(): DataApiStats;
  close(): Promise<void>;
}

/** The service refuses responses larger than this. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

interface OpenTransaction {
  session: Session;
  lastUsedAt: number;
  /** Statements of one transaction run one after another on its connection. */
  queue: Promise<unknown>;
}

interface StatementRequest {
  resourceArn?: string;
  secretArn?: string;
  sql?: string;
  parameters?: WireParameter[];
  parameterSets?: WireParameter[][];
  transactionId?: string;
  includeResultMetadata?: boolean;
  formatRecordsAs?: 'NONE' | 'JSON';
  resultSetOptions?: ResultOptions;
}

/**
 * A local RDS Data API endpoint: the service's REST-JSON protocol, so `@aws-sdk/client-rds-data` pointed
 * at it works unchanged, with the SQL run on PGlite, a real PostgreSQL, or MySQL/MariaDB.
 *
 * @example
 * const dataApi = await startDataApiServer({ dataDir: '.local-data/pglite' });
 * const client = new RDSDataClient({ endpoint: dataApi.url });
 */
export async function startDataApiServer(options: DataApiServerOptions = {}): Promise<DataApiServer> {
  const log = options.log ?? (() => undefined);
  const backend = await openBackend(options);
  const { dialect } = backend;
  const secretRoles = new Map(Object.entries(options.secretRoles ?? {}));
  for (const role of secretRoles.values()) {
    if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`Data API: ${role} is not a plain role name`);
  }
  if (secretRoles.size > 0 && !backend.switchesRoles) {
    log(`Data API: ${dialect.name} runs every secret as the connection's own user`);
    secretRoles.clear();
  }
  /** The role a call runs as: its secret's, or the connection's own user (undefined). */
  const roleOf = (body: StatementRequest) => secretRoles.get(body.secretArn ?? '');
  const transactionTimeoutMs = options.transactionTimeoutMs ?? 3 * 60_000;
  const transactions = new Map<string, OpenTransaction>();
  const stats: DataApiStats = {
    ExecuteStatement: 0,
    BatchExecuteStatement: 0,
    BeginTransaction: 0,
    CommitTransaction: 0,
    RollbackTransaction: 0,
  };

  const endTransaction = async (id: string, sql: 'COMMIT' | 'ROLLBACK') => {
    const transaction = transactions.get(id);
    if (!transaction)
      throw new DataApiError('TransactionNotFoundException', 404, `Transaction ${id} is not found`);
    transactions.delete(id);
    try {
      await transaction.queue.catch(() => undefined);
      await transaction.session.query(sql, []);
    } finally {
      await transaction.session.release();
    }
  };

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, transaction] of transactions) {
      if (now - transaction.lastUsedAt > transactionTimeoutMs) {
        log(`Data API: rolling back transaction ${id} after ${transactionTimeoutMs} ms idle`);
        endTransaction(id, 'ROLLBACK').catch(() => undefined);
      }
    }
  }, 1_000);
  sweeper.unref();

  const beginTransaction = async (role: string | undefined): Promise<string> => {
    const session = await backend.session(role);
    try {
      await session.query('BEGIN', []);
    } catch (error) {
      await session.release();
      throw error;
    }
    const transactionId = randomBytes(24).toString('base64');
    transactions.set(transactionId, { session, lastUsedAt: Date.now(), queue: Promise.resolve() });
    return transactionId;
  };

  /**
   * Runs SQL in the named transaction (as the role it began with), or on its own as `role` when there is
   * none.
   */
  const runIn = (
    transactionId: string | undefined,
    text: string,
    values: Bindable[],
    role: string | undefined,
  ): Promise<QueryResult> => {
    if (!transactionId) return backend.query(text, values, role);
    const transaction = transactions.get(transactionId);
    if (!transaction) {
      throw new DataApiError(
        'TransactionNotFoundException',
        404,
        `Transaction ${transactionId} is not found`,
      );
    }
    transaction.lastUsedAt = Date.now();
    const result = transaction.queue
      .catch(() => undefined)
      .then(() => transaction.session.query(text, values));
    transaction.queue = result;
    return result;
  };

  const operations: Record<DataApiOperation, (body: StatementRequest) => Promise<unknown>> = {
    BeginTransaction: async (body) => {
      requireTarget(body);
      return { transactionId: await beginTransaction(roleOf(body)) };
    },
    CommitTransaction: async (body) => {
      requireTarget(body);
      await endTransaction(requireTransactionId(body), 'COMMIT');
      return { transactionStatus: 'Transaction Committed' };
    },
    RollbackTransaction: async (body) => {
      requireTarget(body);
      await endTransaction(requireTransactionId(body), 'ROLLBACK');
      return { transactionStatus: 'Rollback Complete' };
    },
    ExecuteStatement: async (body) => {
      requireTarget(body);
      const statement = dialect.prepare(body.sql, body.parameters ?? []);
      const result = await runIn(body.transactionId, statement.text, statement.values, roleOf(body));
      return shapeResult(dialect, result, body, statement.isModification);
    },
    BatchExecuteStatement: async (body) => {
      requireTarget(body);
      const sets = body.parameterSets?.length ? body.parameterSets : [[]];
      const statements = sets.map((parameters) => dialect.prepare(body.sql, parameters));
      // Without a transaction of the caller's, the batch gets its own: it applies whole or not at all.
      const ownTransaction = body.transactionId === undefined;
      const transactionId = body.transactionId ?? (await beginTransaction(roleOf(body)));
      const updateResults: Array<{ generatedFields: unknown[] }> = [];
      try {
        for (const statement of statements) {
          const result = await runIn(transactionId, statement.text, statement.values, undefined);
          updateResults.push({ generatedFields: dialect.generatedFields(result) });
        }
        if (ownTransaction) await endTransaction(transactionId, 'COMMIT');
      } catch (error) {
        if (ownTransaction) await endTransaction(transactionId, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
      return { updateResults };
    },
  };

  const server = createServer(async (request, response) => {
    try {
      if (request.method === 'GET' && request.url === STATS_PATH) {
        send(response, 200, JSON.stringify(stats));
        return;
      }
      const path = request.url ?? '';
      const name = request.method === 'POST' && isOperationPath(path) ? OPERATION_NAMES[path] : undefined;
      if (!name)
        throw new DataApiError(
          'NotFoundException',
          404,
          `Unknown operation ${request.method} ${request.url}`,
        );
      stats[name]++;
      const body = await readJson(request);
      const startedAt = performance.now();
      const result = await operations[name](body).finally(() => {
        const traceHeader = request.headers['x-amzn-trace-id'];
        options.onCall?.({
          operation: name,
          sql: body.sql,
          durationMs: performance.now() - startedAt,
          traceHeader: typeof traceHeader === 'string' ? traceHeader : undefined,
        });
      });
      const payload = JSON.stringify(result);
      if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
        throw badRequest('Database returned more than the allowed response size limit');
      }
      send(response, 200, payload);
    } catch (error) {
      const failure = toDataApiError(dialect, error);
      if (failure.status >= 500) log(`Data API: ${error instanceof Error ? error.stack : error}`);
      send(response, failure.status, JSON.stringify({ message: failure.message }), failure.type);
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  log(
    `Data API listening on ${url} (${options.databaseUrl ? dialect.name : `PGlite${options.dataDir ? ` in ${options.dataDir}` : ', in memory'}`})`,
  );

  return {
    url,
    port,
    stats: () => ({ ...stats }),
    async close() {
      clearInterval(sweeper);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const id of [...transactions.keys()]) await endTransaction(id, 'ROLLBACK').catch(() => undefined);
      await backend.close();
    },
  };
}

function isOperationPath(path: string): path is keyof typeof OPERATION_NAMES {
  return Object.hasOwn(OPERATION_NAMES, path);
}

function requireTarget(body: StatementRequest): void {
  if (!body.resourceArn) throw badRequest('resourceArn is required');
  if (!body.secretArn) throw badRequest('secretArn is required');
}

function requireTransactionId(body: StatementRequest): string {
  if (!body.transactionId) throw badRequest('transactionId is required');
  return body.transactionId;
}

function shapeResult(dialect: Dialect, result: QueryResult, body: StatementRequest, isModification: boolean) {
  const options = body.resultSetOptions ?? {};
  const hasColumns = result.columns.length > 0;
  const shaped: Record<string, unknown> = {
    numberOfRecordsUpdated: result.affectedRows,
    ...(isModification ? { generatedFields: dialect.generatedFields(result) } : {}),
  };
  if (body.formatRecordsAs === 'JSON') {
    if (hasColumns) {
      shaped.formattedRecords = JSON.stringify(
        result.rows.map((row) =>
          Object.fromEntries(
            result.columns.map((column, index) => [
              column.name,
              fieldToJson(dialect.toField(row[index] ?? null, column, options)),
            ]),
          ),
        ),
      );
    }
  } else if (hasColumns) {
    shaped.records = result.rows.map((row) =>
      result.columns.map((column, index) => dialect.toField(row[index] ?? null, column, options)),
    );
  }
  if (body.includeResultMetadata && hasColumns)
    shaped.columnMetadata = dialect.columnMetadata(result.columns);
  return shaped;
}

async function readJson(request: IncomingMessage): Promise<StatementRequest> {
  const text = (await readBody(request)).toString();
  try {
    return text ? (JSON.parse(text) as StatementRequest) : {};
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
}

/** Database errors become BadRequestException carrying the database's own message, as on the service. */
function toDataApiError(dialect: Dialect, error: unknown): DataApiError {
  if (error instanceof DataApiError) return error;
  const message = dialect.errorMessage(error);
  if (message !== undefined) return badRequest(message);
  return new DataApiError(
    'InternalServerErrorException',
    500,
    String((error as { message?: string }).message ?? error),
  );
}

/** The backend a connection URL names: its scheme chooses PostgreSQL or MySQL; none means PGlite. */
function openBackend(options: DataApiServerOptions): Promise<SqlBackend> {
  const { databaseUrl } = options;
  if (!databaseUrl) return createPgliteBackend(options.dataDir);
  if (/^(mysql|mariadb):/i.test(databaseUrl)) return createMysqlBackend(databaseUrl);
  return createPostgresBackend(databaseUrl);
}

function send(response: ServerResponse, status: number, payload: string, errorType?: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(payload);
}
