import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { startDataApiServer } from '@album-service/local/data-api';
import {
  createScratchDatabase,
  mysqlReachable,
  mysqlUrl,
  type ScratchDatabase,
} from '@album-service/local/testing/mysql';
import {
  createPostgresScratchDatabase,
  postgresReachable,
  postgresUrl,
} from '@album-service/local/testing/postgres';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDatabaseUsers, DATABASE_USERS } from '../../db/users.js';
import { createAlbumStore } from '../../lib/albums/store.js';
import { createDatabase, type Database, type Engine } from '../../lib/db/database.js';
import { applyMigrations, migrationsFolder, readMigrations } from '../../lib/db/migrations.js';

const hasPostgres = await postgresReachable();
if (!hasPostgres)
  console.warn(`PostgreSQL at ${postgresUrl} is unreachable: its database users run is skipped`);
const hasMysql = await mysqlReachable();
if (!hasMysql) {
  console.warn(`MySQL/MariaDB at ${mysqlUrl} (MYSQL_URL) is unreachable: its database users run is skipped`);
}

const SECRETS = {
  master: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:master',
  reader: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reader',
  writer: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:writer',
};
const PASSWORDS = {
  reader: `r${randomUUID().replaceAll('-', '')}`,
  writer: `w${randomUUID().replaceAll('-', '')}`,
};

/** The Data API endpoint, migrated and with both users granted, and one adapter per secret. */
async function startMigrated(engine: Engine, databaseUrl: string | undefined) {
  const server = await startDataApiServer({
    databaseUrl,
    secretRoles: { [SECRETS.reader]: DATABASE_USERS.reader, [SECRETS.writer]: DATABASE_USERS.writer },
  });
  const client = new RDSDataClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const signedIn = (secretArn: string) =>
    createDatabase({ client, clusterArn: 'arn:cluster', secretArn, name: 'albums', engine });
  const master = signedIn(SECRETS.master);
  const root = resolve(import.meta.dirname, '../../db/migrations');
  await applyMigrations(master, await readMigrations(migrationsFolder(root, engine)));
  await applyDatabaseUsers(master, databaseName(databaseUrl), PASSWORDS);
  return {
    server,
    client,
    master,
    reader: signedIn(SECRETS.reader),
    writer: signedIn(SECRETS.writer),
  };
}

const databaseName = (databaseUrl: string | undefined) =>
  databaseUrl ? new URL(databaseUrl).pathname.slice(1) : 'postgres';

const postgresBackends = [
  { name: 'PGlite', available: true },
  { name: 'PostgreSQL', available: hasPostgres },
];

describe.each(postgresBackends)(
  'the database users through the Data API endpoint on $name',
  ({ name, available }) => {
    let scratch: ScratchDatabase | undefined;
    let stack: Awaited<ReturnType<typeof startMigrated>>;
    const test = available ? it : it.skip;

    beforeAll(async () => {
      if (!available) return;
      if (name === 'PostgreSQL') scratch = await createPostgresScratchDatabase();
      stack = await startMigrated('postgresql', scratch?.url);
    });

    afterAll(async () => {
      stack?.client.destroy();
      await stack?.server.close();
      await scratch?.drop();
    });

    test("runs each call as its secret's user, and as the connection's own user for any other secret", async () => {
      const whoAmI = async (db: Database) =>
        (await db.execute<{ current_user: string }>('SELECT current_user')).rows[0]?.current_user;
      expect(await whoAmI(stack.reader)).toBe('albums_reader');
      expect(await whoAmI(stack.writer)).toBe('albums_writer');
      expect(await whoAmI(stack.master)).not.toMatch(/^albums_(reader|writer)$/);
    });

    test('lets the reader read albums but write nothing, alone, in a transaction or in a batch', async () => {
      const stored = await createAlbumStore(stack.writer).create(
        {
          artist: 'Reader',
          title: 'Read',
          year: 2001,
        },
        'reader-test',
      );
      expect((await createAlbumStore(stack.reader).get(stored.albumId))?.title).toBe('Read');

      await expect(
        createAlbumStore(stack.reader).create(
          { artist: 'Reader', title: 'Refused', year: 2001 },
          'reader-test',
        ),
      ).rejects.toThrow(/permission denied for table albums/);
      await expect(
        stack.reader.transaction((tx) => tx.execute("UPDATE albums SET title = 'Changed'")),
      ).rejects.toThrow(/permission denied/);
      await expect(stack.reader.execute('DELETE FROM review_counts')).rejects.toThrow(/permission denied/);
      expect((await createAlbumStore(stack.master).get(stored.albumId))?.title).toBe('Read');
    });

    test('lets the writer change rows, but neither the schema nor the record of migrations', async () => {
      const { count } = (
        await stack.writer.execute<{ count: number }>('SELECT count(*)::int AS count FROM albums')
      ).rows[0] as { count: number };
      expect(count).toBeGreaterThanOrEqual(0);
      await expect(stack.writer.execute('CREATE TABLE intruder (id int)')).rejects.toThrow(
        /permission denied/,
      );
      await expect(stack.writer.execute('ALTER TABLE albums ADD COLUMN intruder int')).rejects.toThrow(
        /must be owner/,
      );
      await expect(stack.writer.execute('DELETE FROM schema_migrations')).rejects.toThrow(
        /permission denied/,
      );
      await expect(stack.reader.execute('SELECT version FROM schema_migrations')).rejects.toThrow(
        /permission denied/,
      );
    });

    test('covers the tables later migrations create, and can be run again without changing anything', async () => {
      await stack.master.execute(
        'CREATE TABLE later_table (id bigint GENERATED ALWAYS AS IDENTITY, note text)',
      );
      await stack.writer.execute("INSERT INTO later_table (note) VALUES ('written')");
      expect((await stack.reader.execute('SELECT note FROM later_table')).rows).toEqual([
        { note: 'written' },
      ]);
      await expect(stack.reader.execute("INSERT INTO later_table (note) VALUES ('no')")).rejects.toThrow(
        /permission denied/,
      );

      await applyDatabaseUsers(stack.master, databaseName(scratch?.url), PASSWORDS);
      await applyDatabaseUsers(stack.master, databaseName(scratch?.url), PASSWORDS);
      await expect(stack.reader.execute("INSERT INTO later_table (note) VALUES ('no')")).rejects.toThrow(
        /permission denied/,
      );
      await stack.writer.execute('DELETE FROM later_table');
    });
  },
);

// MySQL's SET ROLE does not narrow what the connection's user may do, so the endpoint cannot switch users
// there: this signs in as each user directly, with the password the statements gave it.
describe('the database users on MariaDB', () => {
  let scratch: ScratchDatabase;
  let stack: Awaited<ReturnType<typeof startMigrated>>;
  const test = hasMysql ? it : it.skip;
  const signIn = (kind: keyof typeof PASSWORDS) => {
    const url = new URL(scratch.url);
    url.protocol = 'mysql:';
    url.username = DATABASE_USERS[kind];
    url.password = PASSWORDS[kind];
    return mysql.createConnection({ uri: url.href });
  };

  beforeAll(async () => {
    if (!hasMysql) return;
    scratch = await createScratchDatabase();
    stack = await startMigrated('mysql', scratch.url);
  });

  afterAll(async () => {
    if (!hasMysql) return;
    for (const user of Object.values(DATABASE_USERS)) {
      await stack?.master.execute(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    }
    stack?.client.destroy();
    await stack?.server.close();
    await scratch?.drop();
  });

  test('creates a reader that only reads and a writer without DDL, again without error', async () => {
    await applyDatabaseUsers(stack.master, databaseName(scratch.url), PASSWORDS);
    const stored = await createAlbumStore(stack.master).create(
      { artist: 'Maria', title: 'DB', year: 2010 },
      'maria',
    );

    const reader = await signIn('reader');
    try {
      const [rows] = await reader.query('SELECT title FROM albums WHERE album_id = ?', [stored.albumId]);
      expect(rows).toEqual([{ title: 'DB' }]);
      await expect(reader.query("UPDATE albums SET title = 'Changed'")).rejects.toThrow(/denied/);
    } finally {
      await reader.end();
    }
    const writer = await signIn('writer');
    try {
      await writer.query("UPDATE albums SET title = 'Changed' WHERE album_id = ?", [stored.albumId]);
      await expect(writer.query('CREATE TABLE intruder (id int)')).rejects.toThrow(/denied/);
    } finally {
      await writer.end();
    }
  });
});
