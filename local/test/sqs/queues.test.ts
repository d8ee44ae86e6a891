import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../credentials.js';
import { type Queues, startQueues, withoutFsyncPerChange } from '../../sqs/queues.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'album-queues-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const clientOf = (queues: Queues) =>
  new SQSClient({ endpoint: queues.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });

const synchronousOf = (db: DatabaseSync) =>
  (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;

describe('the local queues’ storage', () => {
  it('opens a WAL database without an fsync per commit, and leaves other connections as they were', async () => {
    const dir = await tempDir();
    const relaxed = await withoutFsyncPerChange(async () => {
      const db = new DatabaseSync(join(dir, 'relaxed.db'));
      db.exec('PRAGMA journal_mode = WAL');
      return db;
    });
    expect(synchronousOf(relaxed)).toBe(1); // NORMAL
    const later = new DatabaseSync(join(dir, 'later.db'));
    later.exec('PRAGMA journal_mode = WAL');
    expect(synchronousOf(later)).toBe(2); // SQLite's default, FULL
  });

  it('refuses to start when nothing opened a WAL database, rather than run with an fsync per change', async () => {
    await expect(withoutFsyncPerChange(async () => 'started')).rejects.toThrow(/WAL mode/);
  });

  it('keeps a sent message across a restart of the emulator', async () => {
    const dataDir = await tempDir();
    const queue = { name: 'reviews' };
    const first = await startQueues({ dataDir, queues: [queue] });
    await clientOf(first).send(
      new SendMessageCommand({ QueueUrl: first.queueUrl('reviews'), MessageBody: 'kept' }),
    );
    await first.close();
    const second = await startQueues({ dataDir, queues: [queue] });
    try {
      const { Messages = [] } = await clientOf(second).send(
        new ReceiveMessageCommand({ QueueUrl: second.queueUrl('reviews') }),
      );
      expect(Messages.map((message) => message.Body)).toEqual(['kept']);
    } finally {
      await second.close();
    }
  });
});
