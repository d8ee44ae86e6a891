import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from '@aws-sdk/client-rds-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataApiServer, type DataApiStats, startDataApiServer } from '../../data-api/server.js';

let server: DataApiServer;
let client: RDSDataClient;
const target = { resourceArn: 'arn:aws:rds:us-east-1:000000000000:cluster:test', secretArn: 'arn:secret' };

beforeAll(async () => {
  server = await startDataApiServer();
  client = new RDSDataClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
});

const served = async (): Promise<DataApiStats> =>
  (await (await fetch(`${server.url}/__stats`)).json()) as DataApiStats;

describe('the Data API endpoint counts the calls it receives', () => {
  it('by operation, on GET /__stats and from the server object alike', async () => {
    const before = await served();
    await client.send(new ExecuteStatementCommand({ ...target, sql: 'SELECT 1' }));
    await client.send(new ExecuteStatementCommand({ ...target, sql: 'SELECT 2' }));
    await client.send(
      new BatchExecuteStatementCommand({
        ...target,
        sql: 'SELECT :n::int',
        parameterSets: [[{ name: 'n', value: { longValue: 1 } }], [{ name: 'n', value: { longValue: 2 } }]],
      }),
    );
    const committed = await client.send(new BeginTransactionCommand(target));
    await client.send(
      new ExecuteStatementCommand({ ...target, sql: 'SELECT 3', transactionId: committed.transactionId }),
    );
    await client.send(new CommitTransactionCommand({ ...target, transactionId: committed.transactionId }));
    const rolledBack = await client.send(new BeginTransactionCommand(target));
    await client.send(new RollbackTransactionCommand({ ...target, transactionId: rolledBack.transactionId }));

    const after = await served();
    expect(after).toEqual({
      ExecuteStatement: before.ExecuteStatement + 3,
      BatchExecuteStatement: before.BatchExecuteStatement + 1,
      BeginTransaction: before.BeginTransaction + 2,
      CommitTransaction: before.CommitTransaction + 1,
      RollbackTransaction: before.RollbackTransaction + 1,
    });
    expect(server.stats()).toEqual(after);
  });

  it('counts a statement the database refuses, and no unknown operation', async () => {
    const before = server.stats();
    await expect(
      client.send(new ExecuteStatementCommand({ ...target, sql: 'SELECT FROM nowhere_at_all' })),
    ).rejects.toThrow();
    const unknown = await fetch(`${server.url}/ExecuteSql`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(server.stats()).toEqual({ ...before, ExecuteStatement: before.ExecuteStatement + 1 });
  });
});
