import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../lib/db/database.js';
import {
  applyMigrations,
  MigrationFileError,
  migrationsFolder,
  readMigrations,
} from '../../../lib/db/migrations.js';
import { type DataApiDatabase, openDataApiDatabase } from '../../support/data-api-database.js';

// Migrations run through the Data API adapter against the local endpoint on an in-process PostgreSQL.
let database: DataApiDatabase;
let db: Database;
let folder: string;

beforeAll(async () => {
  database = await openDataApiDatabase('postgresql', { migrated: false });
  ({ db } = database);
  folder = await mkdtemp(join(tmpdir(), 'migrations-'));
});

afterAll(async () => {
  await database?.close();
  await rm(folder, { recursive: true, force: true });
});

describe('reading migrations', () => {
  it('splits a file into its statements, without comments, and skips what is not a migration', async () => {
    const files = await mkdtemp(join(tmpdir(), 'migration-files-'));
    try {
      await writeFile(
        join(files, '001_create_notes.sql'),
        "-- notes, one per line\nCREATE TABLE notes (note text);\nINSERT INTO notes VALUES ('a;b');\n\n",
      );
      await writeFile(join(files, 'README.md'), 'not a migration');
      expect(await readMigrations(files)).toEqual([
        {
          version: 1,
          name: 'create_notes',
          statements: ['CREATE TABLE notes (note text)', "INSERT INTO notes VALUES ('a;b')"],
        },
      ]);
    } finally {
      await rm(files, { recursive: true, force: true });
    }
  });

  it("finds each engine's migrations in its own folder", () => {
    expect(migrationsFolder('db/migrations', 'postgresql')).toBe('db/migrations');
    expect(migrationsFolder('db/migrations', 'mysql')).toBe(join('db/migrations', 'mysql'));
  });
});

describe('applying migrations', () => {
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
