import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  RDSDataClient,
  RollbackTransactionCommand,
  TransactionNotFoundException,
} from '@aws-sdk/client-rds-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataApiServer, startDataApiServer } from '../../data-api/server.js';
import {
  createScratchDatabase,
  mysqlReachable,
  mysqlUrl,
  type ScratchDatabase,
} from '../../testing/mysql.js';
import { postgresReachable, postgresUrl } from '../../testing/postgres.js';

const hasPostgres = await postgresReachable();
if (!hasPostgres) console.warn(`PostgreSQL at ${postgresUrl} is unreachable: its conformance run is skipped`);
const hasMysql = await mysqlReachable();
if (!hasMysql) {
  console.warn(`MySQL/MariaDB at ${mysqlUrl} (MYSQL_URL) is unreachable: its conformance run is skipped`);
}

type Engine = 'postgresql' | 'mysql';

const backends: Array<{ name: string; engine: Engine; databaseUrl?: string; available: boolean }> = [
  { name: 'PGlite', engine: 'postgresql', available: true },
  { name: 'PostgreSQL', engine: 'postgresql', databaseUrl: postgresUrl, available: hasPostgres },
  { name: 'MariaDB', engine: 'mysql', databaseUrl: mysqlUrl, available: hasMysql },
];

describe.each(backends)('the Data API endpoint on $name', ({ engine, databaseUrl, available }) => {
  let server: DataApiServer;
  let client: RDSDataClient;
  let scratch: ScratchDatabase | undefined;
  // Each run works in its own table (on MySQL, its own database) so runs on a shared server never collide.
  const table = `conformance_${randomUUID().replaceAll('-', '')}`;
  /** The statement as this engine writes it. */
  const sql = (choices: Record<Engine, string>) => choices[engine];
  const target = {
    resourceArn: 'arn:aws:rds:us-east-1:000000000000:cluster:test',
    secretArn: 'arn:secret',
    database: 'test',
  };
  const execute = (input: Omit<ExecuteStatementCommandInput, 'resourceArn' | 'secretArn'>) =>
    client.send(new ExecuteStatementCommand({ ...target, ...input }));

  beforeAll(async () => {
    if (!available) return;
    if (engine === 'mysql') scratch = await createScratchDatabase();
    server = await startDataApiServer({
      databaseUrl: scratch?.url ?? databaseUrl,
      transactionTimeoutMs: 1_500,
    });
    client = new RDSDataClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await execute({
      sql: sql({
        postgresql: `CREATE TABLE ${table} (
          id bigint PRIMARY KEY, name text, price numeric(10, 2), ratio double precision, active boolean,
          data bytea, ref uuid, doc jsonb, born date, at timestamp, tz timestamptz, t time, tags text[]
        )`,
        mysql: `CREATE TABLE ${table} (
          id bigint PRIMARY KEY, name text, price decimal(10, 2), ratio double, active boolean, flag bit(1),
          small smallint unsigned, data blob, ref char(36), doc json, born date, at datetime(3), t time
        )`,
      }),
    });
  });

  afterAll(async () => {
    if (!available) return;
    await execute({ sql: `DROP TABLE IF EXISTS ${table}` });
    client.destroy();
    await server.close();
    await scratch?.drop();
  });

  const itOnBackend = available ? it : it.skip;
  /** A case about one engine's behaviour only: not declared at all on the other engines. */
  const itOn = (only: Engine) => (engine === only ? itOnBackend : () => undefined);

  itOn('postgresql')('round-trips every value type with its typeHint', async () => {
    const blob = new Uint8Array([0, 1, 127, 128, 254, 255, 0xc3, 0x28]); // not valid UTF-8
    const ref = randomUUID();
    const inserted = await execute({
      sql: `INSERT INTO ${table} (id, name, price, ratio, active, data, ref, doc, born, at, tz, t, tags)
            VALUES (:id, :name, :price, :ratio, :active, :data, :ref, :doc, :born, :at, :tz, :t, ARRAY['a', 'b c'])`,
      parameters: [
        { name: 'id', value: { longValue: 9_007_199_254_740_991 } },
        { name: 'name', value: { stringValue: "O'Brien :not_a_param" } },
        { name: 'price', value: { stringValue: '1234.50' }, typeHint: 'DECIMAL' },
        { name: 'ratio', value: { doubleValue: 0.125 } },
        { name: 'active', value: { booleanValue: true } },
        { name: 'data', value: { blobValue: blob } },
        { name: 'ref', value: { stringValue: ref }, typeHint: 'UUID' },
        { name: 'doc', value: { stringValue: '{"a":[1,2]}' }, typeHint: 'JSON' },
        { name: 'born', value: { stringValue: '1977-10-28' }, typeHint: 'DATE' },
        { name: 'at', value: { stringValue: '2024-02-29 23:59:58.123' }, typeHint: 'TIMESTAMP' },
        { name: 'tz', value: { stringValue: '2024-02-29 23:59:58' }, typeHint: 'TIMESTAMP' },
        { name: 't', value: { stringValue: '12:34:56' }, typeHint: 'TIME' },
      ],
    });
    expect(inserted.numberOfRecordsUpdated).toBe(1);
    expect(inserted.generatedFields).toEqual([]);

    const { records, columnMetadata } = await execute({
      sql: `SELECT id, name, price, ratio, active, data, ref, doc, born, at, tz, t, tags, NULL AS nothing
            FROM ${table} WHERE id = :id`,
      parameters: [{ name: 'id', value: { longValue: 9_007_199_254_740_991 } }],
      includeResultMetadata: true,
    });
    expect(records).toEqual([
      [
        { longValue: 9_007_199_254_740_991 },
        { stringValue: "O'Brien :not_a_param" },
        { stringValue: '1234.50' },
        { doubleValue: 0.125 },
        { booleanValue: true },
        { blobValue: blob },
        { stringValue: ref },
        { stringValue: '{"a": [1, 2]}' },
        { stringValue: '1977-10-28' },
        { stringValue: '2024-02-29 23:59:58.123' },
        { stringValue: '2024-02-29 23:59:58' },
        { stringValue: '12:34:56' },
        { arrayValue: { stringValues: ['a', 'b c'] } },
        { isNull: true },
      ],
    ]);
    expect(columnMetadata?.map((column) => [column.name, column.typeName])).toEqual([
      ['id', 'int8'],
      ['name', 'text'],
      ['price', 'numeric'],
      ['ratio', 'float8'],
      ['active', 'bool'],
      ['data', 'bytea'],
      ['ref', 'uuid'],
      ['doc', 'jsonb'],
      ['born', 'date'],
      ['at', 'timestamp'],
      ['tz', 'timestamptz'],
      ['t', 'time'],
      ['tags', 'text[]'],
      ['nothing', 'text'],
    ]);
    expect(columnMetadata?.[0]?.type).toBe(-5); // JDBC BIGINT
  });

  itOnBackend('formats records as JSON on request', async () => {
    const { formattedRecords, records } = await execute({
      sql: sql({
        postgresql: "SELECT 1 AS one, 'x' AS letter, true AS yes, NULL AS nothing, 2.5::float8 AS half",
        mysql: "SELECT 1 AS one, 'x' AS letter, true AS yes, NULL AS nothing, 2.5e0 AS half",
      }),
      formatRecordsAs: 'JSON',
    });
    expect(records).toBeUndefined();
    expect(JSON.parse(formattedRecords ?? '')).toEqual([
      // MySQL's TRUE is the integer 1; only a TINYINT(1) or BIT(1) column reads as a boolean.
      { one: 1, letter: 'x', yes: engine === 'mysql' ? 1 : true, nothing: null, half: 2.5 },
    ]);
  });

  itOn('postgresql')(
    'reads :names but not casts, literals, quoted names or comments, and binds a repeated name once',
    async () => {
      const { records } = await execute({
        sql: `SELECT :n::int + :n AS twice, '::text :n' AS literal, E'it\\'s :n' AS backslashed, $$ :n $$ AS dollar,
            "quoted:n".x AS quoted -- :n in a comment
            FROM (SELECT 1 AS x) AS "quoted:n" /* :n */`,
        parameters: [{ name: 'n', value: { longValue: 21 } }],
      });
      expect(records).toEqual([
        [
          { longValue: 42 },
          { stringValue: '::text :n' },
          { stringValue: "it's :n" },
          { stringValue: ' :n ' },
          { longValue: 1 },
        ],
      ]);
    },
  );

  itOnBackend('rejects a statement naming a parameter it was not given', async () => {
    const error = await execute({ sql: 'SELECT :missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as Error).message).toContain('missing');
  });

  itOn('postgresql')(
    'types a plain string as varchar, as the service does: a UUID column needs its typeHint',
    async () => {
      const error = await execute({
        sql: `SELECT * FROM ${table} WHERE ref = :ref`,
        parameters: [{ name: 'ref', value: { stringValue: randomUUID() } }],
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as Error).message).toMatch(/operator does not exist: uuid = character varying/);
    },
  );

  itOnBackend("passes the database's error message on as BadRequestException", async () => {
    const error = await execute({ sql: 'SELEC 1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as Error).message).toMatch(
      engine === 'mysql'
        ? /^Database error code: 1064\. Message: You have an error in your SQL syntax/
        : /syntax error at or near "SELEC"/,
    );
  });

  itOnBackend('refuses more than one statement without running any of them', async () => {
    const error = await execute({
      sql: `INSERT INTO ${table} (id) VALUES (1); DELETE FROM ${table}`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    const { records } = await execute({ sql: `SELECT count(*) FROM ${table} WHERE id = 1` });
    expect(records).toEqual([[{ longValue: 0 }]]);
    // A trailing semicolon is still one statement.
    await expect(execute({ sql: 'SELECT 1;' })).resolves.toBeDefined();
  });

  itOnBackend('counts the rows an UPDATE or DELETE touched', async () => {
    for (const id of [10, 11, 12]) {
      await execute({
        sql: `INSERT INTO ${table} (id, name) VALUES (:id, 'batch')`,
        parameters: [{ name: 'id', value: { longValue: id } }],
      });
    }
    const updated = await execute({ sql: `UPDATE ${table} SET active = false WHERE name = 'batch'` });
    expect(updated.numberOfRecordsUpdated).toBe(3);
    const deleted = await execute({ sql: `DELETE FROM ${table} WHERE name = 'batch'` });
    expect(deleted.numberOfRecordsUpdated).toBe(3);
  });

  itOnBackend('commits a transaction and rolls one back', async () => {
    const begin = () => client.send(new BeginTransactionCommand(target));
    const committed = await begin();
    await execute({
      sql: `INSERT INTO ${table} (id, name) VALUES (100, 'kept')`,
      transactionId: committed.transactionId,
    });
    const commit = await client.send(
      new CommitTransactionCommand({ ...target, transactionId: committed.transactionId }),
    );
    expect(commit.transactionStatus).toBe('Transaction Committed');

    const rolledBack = await begin();
    await execute({
      sql: `INSERT INTO ${table} (id, name) VALUES (101, 'dropped')`,
      transactionId: rolledBack.transactionId,
    });
    const rollback = await client.send(
      new RollbackTransactionCommand({ ...target, transactionId: rolledBack.transactionId }),
    );
    expect(rollback.transactionStatus).toBe('Rollback Complete');

    const { records } = await execute({
      sql: `SELECT name FROM ${table} WHERE id IN (100, 101) ORDER BY id`,
    });
    expect(records).toEqual([[{ stringValue: 'kept' }]]);
  });

  itOnBackend('keeps uncommitted work out of sight of statements outside the transaction', async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await execute({ sql: `INSERT INTO ${table} (id, name) VALUES (200, 'pending')`, transactionId });
    // On PGlite this statement waits for the transaction to end instead of running inside it.
    const outside = execute({ sql: `SELECT count(*) FROM ${table} WHERE id = 200` });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.send(new RollbackTransactionCommand({ ...target, transactionId }));
    expect((await outside).records).toEqual([[{ longValue: 0 }]]);
  });

  itOnBackend('answers TransactionNotFoundException for an unknown or finished transaction', async () => {
    await expect(execute({ sql: 'SELECT 1', transactionId: 'no-such-transaction' })).rejects.toBeInstanceOf(
      TransactionNotFoundException,
    );
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await client.send(new CommitTransactionCommand({ ...target, transactionId }));
    await expect(
      client.send(new CommitTransactionCommand({ ...target, transactionId })),
    ).rejects.toBeInstanceOf(TransactionNotFoundException);
  });

  itOnBackend('rolls back a transaction left idle past the timeout', async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await execute({ sql: `INSERT INTO ${table} (id, name) VALUES (300, 'abandoned')`, transactionId });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await expect(execute({ sql: 'SELECT 1', transactionId })).rejects.toBeInstanceOf(
      TransactionNotFoundException,
    );
    const { records } = await execute({ sql: `SELECT count(*) FROM ${table} WHERE id = 300` });
    expect(records).toEqual([[{ longValue: 0 }]]);
  });

  itOnBackend('runs a batch whole or not at all', async () => {
    const row = (id: number) => [{ name: 'id', value: { longValue: id } }];
    const batch = await client.send(
      new BatchExecuteStatementCommand({
        ...target,
        sql: `INSERT INTO ${table} (id, name) VALUES (:id, 'batched')`,
        parameterSets: [row(400), row(401)],
      }),
    );
    expect(batch.updateResults).toHaveLength(2);
    const failing = client.send(
      new BatchExecuteStatementCommand({
        ...target,
        sql: `INSERT INTO ${table} (id, name) VALUES (:id, 'batched')`,
        parameterSets: [row(402), row(400)], // 400 exists: the whole batch must fail
      }),
    );
    await expect(failing).rejects.toBeInstanceOf(BadRequestException);
    const { records } = await execute({ sql: `SELECT count(*) FROM ${table} WHERE name = 'batched'` });
    expect(records).toEqual([[{ longValue: 2 }]]);
  });

  itOnBackend('refuses a result over the 1 MiB response limit', async () => {
    const error = await execute({ sql: "SELECT repeat('x', 2 * 1024 * 1024) AS big" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as Error).message).toMatch(/response size limit/);
  });

  itOnBackend('requires the cluster and secret ARNs', async () => {
    const error = await client
      .send(new ExecuteStatementCommand({ resourceArn: target.resourceArn, secretArn: '', sql: 'SELECT 1' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
  });

  itOn('mysql')(
    "reads :names but not MySQL's literals, quoted names or comments, and binds a repeated name each time",
    async () => {
      const { records } = await execute({
        sql: `SELECT :n + :n AS twice, ':n' AS single, "it\\"s :n" AS doubled, 'it\\'s :n' AS backslashed,
            \`quoted:n\`.x AS quoted -- :n in a comment
            FROM (SELECT 1 AS x) AS \`quoted:n\` /* :n */ # :n`,
        parameters: [{ name: 'n', value: { longValue: 21 } }],
      });
      expect(records).toEqual([
        [
          { longValue: 42 },
          { stringValue: ':n' },
          { stringValue: 'it"s :n' },
          { stringValue: "it's :n" },
          { longValue: 1 },
        ],
      ]);
    },
  );

  itOn('mysql')('round-trips every MySQL value type, booleans from TINYINT(1) and BIT(1)', async () => {
    const blob = new Uint8Array([0, 1, 127, 128, 254, 255, 0xc3, 0x28]); // not valid UTF-8
    const ref = randomUUID();
    const inserted = await execute({
      sql: `INSERT INTO ${table} (id, name, price, ratio, active, flag, small, data, ref, doc, born, at, t)
            VALUES (:id, :name, :price, :ratio, :active, :flag, :small, :data, :ref, :doc, :born, :at, :t)`,
      parameters: [
        { name: 'id', value: { longValue: 9_007_199_254_740_991 } },
        { name: 'name', value: { stringValue: "O'Brien \\ :not_a_param" } },
        { name: 'price', value: { stringValue: '1234.50' }, typeHint: 'DECIMAL' },
        { name: 'ratio', value: { doubleValue: 0.125 } },
        { name: 'active', value: { booleanValue: true } },
        { name: 'flag', value: { booleanValue: true } },
        { name: 'small', value: { longValue: 65_535 } },
        { name: 'data', value: { blobValue: blob } },
        { name: 'ref', value: { stringValue: ref }, typeHint: 'UUID' },
        { name: 'doc', value: { stringValue: '{"a":[1,2]}' }, typeHint: 'JSON' },
        { name: 'born', value: { stringValue: '1977-10-28' }, typeHint: 'DATE' },
        { name: 'at', value: { stringValue: '2024-02-29 23:59:58.123' }, typeHint: 'TIMESTAMP' },
        { name: 't', value: { stringValue: '12:34:56' }, typeHint: 'TIME' },
      ],
    });
    expect(inserted.numberOfRecordsUpdated).toBe(1);
    expect(inserted.generatedFields).toEqual([]); // no AUTO_INCREMENT column

    const { records, columnMetadata } = await execute({
      sql: `SELECT id, name, price, ratio, active, flag, small, data, ref, doc, born, at, t, NULL AS nothing
            FROM ${table} WHERE id = :id`,
      parameters: [{ name: 'id', value: { longValue: 9_007_199_254_740_991 } }],
      includeResultMetadata: true,
    });
    expect(records).toEqual([
      [
        { longValue: 9_007_199_254_740_991 },
        { stringValue: "O'Brien \\ :not_a_param" },
        { stringValue: '1234.50' },
        { doubleValue: 0.125 },
        { booleanValue: true },
        { booleanValue: true },
        { longValue: 65_535 },
        { blobValue: blob },
        { stringValue: ref },
        { stringValue: '{"a":[1,2]}' },
        { stringValue: '1977-10-28' },
        { stringValue: '2024-02-29 23:59:58.123' },
        { stringValue: '12:34:56' },
        { isNull: true },
      ],
    ]);
    expect(columnMetadata?.map((column) => [column.name, column.typeName, column.type])).toEqual([
      ['id', 'BIGINT', -5],
      ['name', 'TEXT', -1],
      ['price', 'DECIMAL', 3],
      ['ratio', 'DOUBLE', 8],
      ['active', 'BIT', -7],
      ['flag', 'BIT', -7],
      ['small', 'SMALLINT UNSIGNED', 5],
      ['data', 'BLOB', -4],
      ['ref', 'CHAR', 1],
      ['doc', 'TEXT', -1], // MariaDB's JSON is LONGTEXT; MySQL would say JSON
      ['born', 'DATE', 91],
      ['at', 'DATETIME', 93],
      ['t', 'TIME', 92],
      ['nothing', 'NULL', 0],
    ]);
  });

  itOn('mysql')('reports the AUTO_INCREMENT id an INSERT generated in generatedFields', async () => {
    const counted = `${table}_counted`;
    await execute({ sql: `CREATE TABLE ${counted} (id bigint AUTO_INCREMENT PRIMARY KEY, name text)` });
    try {
      const first = await execute({
        sql: `INSERT INTO ${counted} (name) VALUES (:name)`,
        parameters: [{ name: 'name', value: { stringValue: 'first' } }],
      });
      expect(first.numberOfRecordsUpdated).toBe(1);
      const id = first.generatedFields?.[0]?.longValue;
      expect(first.generatedFields).toEqual([{ longValue: expect.any(Number) }]);

      const batch = await client.send(
        new BatchExecuteStatementCommand({
          ...target,
          sql: `INSERT INTO ${counted} (name) VALUES (:name)`,
          parameterSets: [
            [{ name: 'name', value: { stringValue: 'second' } }],
            [{ name: 'name', value: { stringValue: 'third' } }],
          ],
        }),
      );
      expect(batch.updateResults).toEqual([
        { generatedFields: [{ longValue: (id ?? 0) + 1 }] },
        { generatedFields: [{ longValue: (id ?? 0) + 2 }] },
      ]);

      const updated = await execute({ sql: `UPDATE ${counted} SET name = 'renamed'` });
      expect(updated).toMatchObject({ numberOfRecordsUpdated: 3, generatedFields: [] });
    } finally {
      await execute({ sql: `DROP TABLE ${counted}` });
    }
  });

  itOnBackend(
    'answers a statement sent again with the table as it is now, after the table changed',
    async () => {
      const changing = `${table}_changing`;
      await execute({ sql: `CREATE TABLE ${changing} (id int PRIMARY KEY)` });
      try {
        await execute({ sql: `INSERT INTO ${changing} (id) VALUES (1)` });
        const select = { sql: `SELECT * FROM ${changing}`, includeResultMetadata: true };
        for (let i = 0; i < 2; i++)
          expect((await execute(select)).columnMetadata?.map((c) => c.name)).toEqual(['id']);
        await execute({ sql: `ALTER TABLE ${changing} ADD COLUMN label varchar(10) DEFAULT 'new'` });
        const after = await execute(select);
        expect(after.columnMetadata?.map((c) => c.name)).toEqual(['id', 'label']);
        expect(after.records).toEqual([[{ longValue: 1 }, { stringValue: 'new' }]]);
      } finally {
        await execute({ sql: `DROP TABLE ${changing}` });
      }
    },
  );

  itOnBackend('runs the same statement again after it failed to parse or to run', async () => {
    await expect(execute({ sql: 'SELEC 1' })).rejects.toBeInstanceOf(BadRequestException);
    const insert = (id: number) =>
      execute({
        sql: `INSERT INTO ${table} (id) VALUES (:id)`,
        parameters: [{ name: 'id', value: { longValue: id } }],
      });
    await insert(600);
    await expect(insert(600)).rejects.toBeInstanceOf(BadRequestException);
    expect((await insert(601)).numberOfRecordsUpdated).toBe(1);
  });

  itOn('mysql')('counts the rows an UPDATE matched, changed or not, as the service does', async () => {
    await execute({ sql: `INSERT INTO ${table} (id, name) VALUES (500, 'same'), (501, 'same')` });
    const unchanged = await execute({ sql: `UPDATE ${table} SET name = 'same' WHERE id IN (500, 501)` });
    expect(unchanged.numberOfRecordsUpdated).toBe(2);
  });
});
