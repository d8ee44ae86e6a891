import {
  BadRequestException,
  DatabaseResumingException,
  type ExecuteStatementCommand,
  type RDSDataClient,
} from '@aws-sdk/client-rds-data';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../../lib/db/database.js';
import { UnavailableError } from '../../../lib/errors.js';

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
