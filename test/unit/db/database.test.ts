import { createServer, type Server, type Socket } from 'node:net';
import {
  BadRequestException,
  DatabaseResumingException,
  type ExecuteStatementCommand,
  type RDSDataClient,
} from '@aws-sdk/client-rds-data';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDatabaseConfig } from '../../../lib/config.js';
import { connectDatabase, createDatabase, type Database, json, uuid } from '../../../lib/db/database.js';
import { UnavailableError } from '../../../lib/errors.js';
import { type DataApiDatabase, openDataApiDatabase } from '../../support/data-api-database.js';

// The adapter's own work (binding, rows, transactions) runs against the local Data API endpoint on an
// in-process PostgreSQL; what that endpoint cannot do on demand (a cluster resuming, a call never
// answered) is scripted below.
let database: DataApiDatabase;
let client: RDSDataClient;
let db: Database;

beforeAll(async () => {
  database = await openDataApiDatabase('postgresql', { migrated: false });
  ({ client, db } = database);
});

afterAll(async () => {
  await database?.close();
});

describe('the Data API adapter', () => {
  it('binds named values of every kind and returns plain rows', async () => {
    const id = '3f0b6f7e-9d1c-4b7a-8c2e-5a4d3c2b1a09';
    const { rows } = await db.execute(
      `SELECT :id AS id, :big AS big, :ratio AS ratio, :yes AS yes, :nothing::text AS nothing, :doc::jsonb ->> 'a' AS a,
              :when AS "when"`,
      {
        id: uuid(id),
        big: 2 ** 40,
        ratio: 0.5,
        yes: true,
        nothing: null,
        doc: json({ a: 'b' }),
        when: new Date(Date.UTC(2024, 1, 29, 12)),
      },
    );
    expect(rows).toEqual([
      { id, big: 2 ** 40, ratio: 0.5, yes: true, nothing: null, a: 'b', when: '2024-02-29 12:00:00' },
    ]);
  });

  it('reports how many rows a statement changed, and no rows for a statement that returns none', async () => {
    await db.execute('CREATE TABLE adapter_counts (n int)');
    const inserted = await db.execute('INSERT INTO adapter_counts VALUES (1), (2), (3)');
    expect(inserted).toMatchObject({ rows: [], updatedCount: 3 });
    const updated = await db.execute('UPDATE adapter_counts SET n = n + 1 WHERE n > :from', { from: 1 });
    expect(updated.updatedCount).toBe(2);
  });

  it("sends each engine's form of a statement written for both", async () => {
    const { rows } = await db.execute({
      postgresql: "SELECT 'pg' AS engine",
      mysql: "SELECT 'my' AS engine",
    });
    expect(rows).toEqual([{ engine: 'pg' }]);
    expect(db.engine).toBe('postgresql');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.execute('CREATE TABLE adapter_notes (note text)');
    await db.transaction(async (tx) => {
      await tx.execute("INSERT INTO adapter_notes VALUES ('kept')");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.execute("INSERT INTO adapter_notes VALUES ('dropped')");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const { rows } = await db.execute('SELECT note FROM adapter_notes');
    expect(rows).toEqual([{ note: 'kept' }]);
  });

  it('reports a wrong statement as the error it is, not as the database being unavailable', async () => {
    const failures: unknown[] = [];
    const reporting = createDatabase({
      client,
      clusterArn: 'arn:cluster',
      secretArn: 'arn:secret',
      name: 'albums',
      onFailure: (error) => failures.push(error),
    });
    const error = await reporting.execute('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnavailableError);
    expect(String(error)).toMatch(/no_such_table/);
    expect(failures).toEqual([error]);
  });
});

// An auto-paused Aurora cluster answering DatabaseResumingException cannot be produced locally on demand,
// so these tests script the client's answers and record the backoff delays instead of waiting them out.
function scriptedDatabase(answers: Array<Error | { formattedRecords: string }>) {
  const calls: ExecuteStatementCommand[] = [];
  const delays: number[] = [];
  const failures: unknown[] = [];
  const client = {
    send: async (command: ExecuteStatementCommand) => {
      calls.push(command);
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as RDSDataClient;
  const db = createDatabase({
    client,
    clusterArn: 'arn:cluster',
    secretArn: 'arn:secret',
    name: 'albums',
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
    sleep: async (ms) => {
      delays.push(ms);
    },
    onFailure: (error) => failures.push(error),
  });
  return { db, calls, delays, failures };
}

const resuming = () => new DatabaseResumingException({ message: 'Database is resuming', $metadata: {} });

describe('database retries', () => {
  it('retries a resuming database with growing, capped, jittered delays', async () => {
    const { db, calls, delays } = scriptedDatabase([
      resuming(),
      resuming(),
      resuming(),
      { formattedRecords: '[{"n":1}]' },
    ]);
    expect((await db.execute('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    expect(calls).toHaveLength(4);
    expect(delays).toHaveLength(3);
    [100, 200, 250].forEach((ceiling, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(0);
      expect(delays[i]).toBeLessThanOrEqual(ceiling);
    });
  });

  it('gives up after the last attempt with an UnavailableError carrying a retry-after', async () => {
    const { db, calls } = scriptedDatabase([resuming(), resuming(), resuming(), resuming(), resuming()]);
    const error = await db.execute('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as UnavailableError).cause).toBeInstanceOf(DatabaseResumingException);
    expect(calls).toHaveLength(4);
  });

  it('does not retry an error in the statement itself', async () => {
    const { db, calls } = scriptedDatabase([
      new BadRequestException({ message: 'syntax error', $metadata: {} }),
    ]);
    await expect(db.execute('SELEC 1')).rejects.toBeInstanceOf(BadRequestException);
    expect(calls).toHaveLength(1);
  });

  it('reports a statement that failed for good once, and a retried one that succeeded not at all', async () => {
    const broken = new BadRequestException({ message: 'syntax error', $metadata: {} });
    const { db, failures } = scriptedDatabase([
      resuming(),
      { formattedRecords: '[]' },
      broken,
      resuming(),
      resuming(),
      resuming(),
      resuming(),
    ]);
    await db.execute('SELECT 1');
    expect(failures).toEqual([]);
    await db.execute('SELEC 1').catch(() => undefined);
    expect(failures).toEqual([broken]);
    await db.execute('SELECT 1').catch(() => undefined);
    expect(failures).toHaveLength(2);
    expect(failures[1]).toBeInstanceOf(DatabaseResumingException);
  });
});

describe('a database that accepts connections and never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('is answered unavailable, with Retry-After, within DATA_API_TIMEOUT_MS', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const address = silent.address();
    if (typeof address !== 'object' || !address) throw new Error('the silent database did not bind');
    const stalled = connectDatabase(
      loadDatabaseConfig({
        DB_CLUSTER_ARN: 'arn:aws:rds:us-east-1:000000000000:cluster:albums',
        DB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:albums',
        DB_NAME: 'albums',
        DATA_API_ENDPOINT: `http://127.0.0.1:${address.port}`,
        DATA_API_TIMEOUT_MS: '300',
      }),
    );
    const started = Date.now();
    const error = await stalled.execute('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toBe('The database did not answer within 300 ms');
    expect((error as UnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(2_000);

    const inTransaction = Date.now();
    await expect(stalled.transaction((tx) => tx.execute('SELECT 1'))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(Date.now() - inTransaction).toBeLessThan(2_000);
  });
});
