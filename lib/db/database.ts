import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type Field,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
  type TypeHint,
} from '@aws-sdk/client-rds-data';
import type { DatabaseConfig } from '../config.js';
import { UnavailableError } from '../errors.js';
import { logger } from '../observability/logger.js';
import { timeSpentIn } from '../observability/server-timing.js';
import { traced } from '../observability/tracer.js';

/** The message a failed Data API call is logged with; the DataApiErrors metric filter matches it. */
export const DATA_API_FAILURE = 'Data API call failed';

/** A parameter whose SQL type must be stated explicitly, e.g. a UUID or a JSON document. */
export interface TypedValue {
  value: string;
  typeHint: TypeHint;
}

/** A value bound to a named `:parameter`. Integers go as 64-bit longs, Dates as TIMESTAMP. */
export type SqlValue = string | number | boolean | null | Uint8Array | Date | TypedValue;

/** A row as the Data API's JSON record format returns it: column name to value. */
export type Row = Record<string, unknown>;

export interface StatementResult<T extends Row = Row> {
  rows: T[];
  updatedCount: number;
  /** MySQL: the AUTO_INCREMENT value an INSERT generated (the Data API's `generatedFields`). */
  generatedId?: number;
}

/** The cluster's engine: Aurora PostgreSQL or Aurora MySQL, each with its own SQL. */
export type Engine = 'postgresql' | 'mysql';

/** One statement in each engine's SQL, side by side; a database runs the form of its engine. */
export type EngineSql = Readonly<Record<Engine, string>>;

/**
 * A statement whose forms differ only where `build` says, e.g. in a fragment that is itself
 * {@link EngineSql}.
 *
 * @example
 * const GET = forEachEngine((engine) => `SELECT ${COLUMNS[engine]} FROM albums WHERE album_id = :albumId`);
 */
export function forEachEngine(build: (engine: Engine) => string): EngineSql {
  return { postgresql: build('postgresql'), mysql: build('mysql') };
}

/** Retry policy for transient Data API failures (an auto-paused cluster resuming, throttling). */
export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DatabaseOptions {
  client: RDSDataClient;
  /** Whose SQL {@link EngineSql} statements are sent in; PostgreSQL by default. */
  engine?: Engine;
  clusterArn: string;
  secretArn: string;
  name: string;
  retry?: Partial<RetryOptions>;
  /**
   * How long one call (the SDK's own retries included) may go unanswered before the database counts as
   * unavailable; unbounded when unset.
   */
  requestTimeoutMs?: number;
  /** Injected for tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Told of each statement that failed for good: not retryable, or out of retries. */
  onFailure?: (error: unknown) => void;
}

const defaultRetry: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
});

/** What a client is told to wait before trying again when the database failed it. */
const RETRY_AFTER_SECONDS = 5;

/** Error names that mean "try again shortly" rather than "the statement is wrong". */
const TRANSIENT_ERRORS = new Set([
  'DatabaseResumingException',
  'DatabaseUnavailableException',
  'ServiceUnavailableError',
  'ThrottlingException',
  'StatementTimeoutException',
]);

/** Tells whether a Data API error is worth retrying. */
export function isTransientDatabaseError(error: unknown): boolean {
  return error instanceof Error && TRANSIENT_ERRORS.has(error.name);
}

/** Statements that run inside one transaction; see {@link Database.transaction}. */
export interface Transaction {
  /** Runs one statement: plain SQL, or {@link EngineSql} whose form for the database's engine is sent. */
  execute<T extends Row = Row>(
    sql: string | EngineSql,
    params?: Record<string, SqlValue>,
  ): Promise<StatementResult<T>>;
}

export interface Database extends Transaction {
  readonly engine: Engine;
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}

/**
 * The database of the functions' configuration, through the container's one Data API client.
 *
 * @example
 * const albums = createAlbumStore(connectDatabase(loadDatabaseConfig()));
 */
export function connectDatabase(config: DatabaseConfig): Database {
  return createDatabase({
    // The middleware stack resolved once per command type, as for the other clients (lib/reviews/queue.ts).
    client: traced(
      new RDSDataClient({ region: config.region, endpoint: config.endpoint, cacheMiddleware: true }),
    ),
    requestTimeoutMs: config.requestTimeoutMs,
    clusterArn: config.clusterArn,
    secretArn: config.secretArn,
    name: config.name,
    engine: config.engine,
    // Counted into the DataApiErrors metric by a log filter (deploy/operations.cjs), which costs the
    // bundles nothing.
    onFailure: (error) => logger.error(DATA_API_FAILURE, { error }),
  });
}

/**
 * Creates the Data API adapter: named parameters in, plain row objects out, transient errors retried
 * with exponential backoff and full jitter, and an {@link UnavailableError} once retries run out or when a
 * call goes unanswered for `requestTimeoutMs`.
 *
 * @example
 * const db = createDatabase({ client: new RDSDataClient({}), clusterArn, secretArn, name: 'albums' });
 * const { rows } = await db.execute('SELECT title FROM albums WHERE album_id = :id', { id: uuid(albumId) });
 */
export function createDatabase(options: DatabaseOptions): Database {
  const retry = { ...defaultRetry, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const target = { resourceArn: options.clusterArn, secretArn: options.secretArn, database: options.name };
  const engine = options.engine ?? 'postgresql';
  const timeoutMs = options.requestTimeoutMs;

  // A deadline per call rather than per HTTP attempt: it bounds the SDK's own retries too. Not retried
  // when it passes: a database that stalled once is unlikely to answer within what is left of the time.
  // Each call's time is the request's time in the database (Server-Timing's `db`).
  async function withDeadline<T>(call: (abortSignal?: AbortSignal) => Promise<T>): Promise<T> {
    if (timeoutMs === undefined) return timeSpentIn('db', () => call());
    const abortSignal = AbortSignal.timeout(timeoutMs);
    try {
      return await timeSpentIn('db', () => call(abortSignal));
    } catch (error) {
      if (!abortSignal.aborted) throw error;
      throw new UnavailableError(`The database did not answer within ${timeoutMs} ms`, RETRY_AFTER_SECONDS, {
        cause: error,
      });
    }
  }

  async function withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isTransientDatabaseError(error)) {
          options.onFailure?.(error);
          throw error;
        }
        if (attempt >= retry.maxAttempts) {
          options.onFailure?.(error);
          throw new UnavailableError('The database is temporarily unavailable', RETRY_AFTER_SECONDS, {
            cause: error,
          });
        }
        const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.random() * ceiling);
      }
    }
  }

  const run = async <T extends Row>(
    sql: string | EngineSql,
    params: Record<string, SqlValue> = {},
    transactionId?: string,
  ): Promise<StatementResult<T>> => {
    const output = await withDeadline((abortSignal) =>
      options.client.send(
        new ExecuteStatementCommand({
          ...target,
          sql: typeof sql === 'string' ? sql : sql[engine],
          parameters: toSqlParameters(params),
          formatRecordsAs: 'JSON',
          transactionId,
        }),
        { abortSignal },
      ),
    );
    return {
      rows: output.formattedRecords ? (JSON.parse(output.formattedRecords) as T[]) : [],
      updatedCount: output.numberOfRecordsUpdated ?? 0,
      generatedId: output.generatedFields?.[0]?.longValue,
    };
  };

  return {
    engine,
    // Statements inside a transaction are not retried one by one: a retry there could apply half of it twice.
    execute: (sql, params) => withRetry(() => run(sql, params)),
    async transaction(work) {
      const { transactionId } = await withRetry(() =>
        withDeadline((abortSignal) =>
          options.client.send(new BeginTransactionCommand(target), { abortSignal }),
        ),
      );
      try {
        const result = await work({ execute: (sql, params) => run(sql, params, transactionId) });
        await withDeadline((abortSignal) =>
          options.client.send(new CommitTransactionCommand({ ...target, transactionId }), { abortSignal }),
        );
        return result;
      } catch (error) {
        await withDeadline((abortSignal) =>
          options.client.send(new RollbackTransactionCommand({ ...target, transactionId }), { abortSignal }),
        ).catch(() => undefined); // the original error is the one worth reporting
        throw error;
      }
    },
  };
}

/** Marks a string as a UUID parameter. */
export const uuid = (value: string): TypedValue => ({ value, typeHint: 'UUID' });

/** Marks a value as a JSON document parameter. */
export const json = (value: unknown): TypedValue => ({ value: JSON.stringify(value), typeHint: 'JSON' });

function toSqlParameters(params: Record<string, SqlValue>): SqlParameter[] {
  return Object.entries(params).map(([name, value]) => {
    if (value instanceof Date) {
      return { name, value: { stringValue: toDataApiTimestamp(value) }, typeHint: 'TIMESTAMP' };
    }
    if (isTypedValue(value)) {
      return { name, value: { stringValue: value.value }, typeHint: value.typeHint };
    }
    return { name, value: toField(value) };
  });
}

function toField(value: Exclude<SqlValue, Date | TypedValue>): Field {
  if (value === null) return { isNull: true };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { booleanValue: value };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { longValue: value } : { doubleValue: value };
  return { blobValue: value };
}

function isTypedValue(value: SqlValue): value is TypedValue {
  return typeof value === 'object' && value !== null && 'typeHint' in value;
}

/** The Data API's timestamp format: `YYYY-MM-DD HH:MM:SS.fff`, UTC, no zone designator. */
function toDataApiTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
