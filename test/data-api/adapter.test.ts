import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DataApiServer, startDataApiServer } from '@album-service/local/data-api';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database, json, uuid } from '../../lib/db/database.js';
import { applyMigrations, MigrationFileError, readMigrations } from '../../lib/db/migrations.js';

let server: DataApiServer;
let client: RDSDataClient;
let db: Database;
let folder: string;

beforeAll(async () => {
  server = await startDataApiServer();
  client = new RDSDataClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  db = createDatabase({ client, clusterArn: 'arn:cluster', secretArn: 'arn:secret', name: 'albums' });
  folder = await mkdtemp(join(tmpdir(), 'migrations-'));
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(folder, { recursive: true, force: true });
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
});

describe('migrations', () => {
  it('applies each numbered file once, in order, and records it', async () => {
    await writeFile(
      join(folder, '001_create_things.sql'),
      '-- things\nCREATE TABLE things (id int);\nCREATE INDEX things_id ON things (id);\n',
    );
    await writeFile(join(folder, '002_seed_things.sql'), 'INSERT INTO things VALUES (1);\n');
    expect(await applyMigrations(db, await readMigrations(folder))).toEqual([1, 2]);
    expect(await applyMigrations(db, await readMigrations(folder))).toEqual([]);

    await writeFile(join(folder, '003_more_things.sql'), 'INSERT INTO things VALUES (2);');
    expect(await applyMigrations(db, await readMigrations(folder))).toEqual([3]);
    const { rows } = await db.execute('SELECT count(*)::int AS n FROM things');
    expect(rows).toEqual([{ n: 2 }]);
    const recorded = await db.execute('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(recorded.rows).toEqual([
      { version: 1, name: 'create_things' },
      { version: 2, name: 'seed_things' },
      { version: 3, name: 'more_things' },
    ]);
  });

  it('leaves nothing behind when a migration fails', async () => {
    await writeFile(
      join(folder, '004_broken.sql'),
      'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n',
    );
    await expect(applyMigrations(db, await readMigrations(folder))).rejects.toThrow(/no_such_table/);
    const { rows } = await db.execute(
      "SELECT to_regclass('half_done') IS NULL AS absent, max(version) AS latest FROM schema_migrations",
    );
    expect(rows).toEqual([{ absent: true, latest: 3 }]);
    await rm(join(folder, '004_broken.sql'));
  });

  it('refuses a folder whose files are not numbered in sequence', async () => {
    await writeFile(join(folder, '006_skipped_one.sql'), 'SELECT 1;');
    await expect(readMigrations(folder)).rejects.toBeInstanceOf(MigrationFileError);
    await rm(join(folder, '006_skipped_one.sql'));
  });
});
