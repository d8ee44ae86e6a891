import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database, Engine, EngineSql } from './database.js';

export interface Migration {
  version: number;
  name: string;
  /** The file's statements, one per Data API call (the Data API runs a single statement at a time). */
  statements: string[];
}

/** Thrown when the migrations folder holds something other than `NNN_name.sql` files in sequence. */
export class MigrationFileError extends Error {
  override readonly name = 'MigrationFileError';
}

/**
 * The folder of an engine's migrations: `db/migrations` holds PostgreSQL's, and its `mysql` folder the
 * MySQL form of each, numbered alike.
 *
 * @example
 * await readMigrations(migrationsFolder('db/migrations', 'mysql')); // db/migrations/mysql/NNN_name.sql
 */
export function migrationsFolder(root: string, engine: Engine): string {
  return engine === 'mysql' ? join(root, 'mysql') : root;
}

/**
 * Reads the numbered migrations (`001_create_albums.sql`, …) from a folder, in version order. Statements
 * are separated by a `;` at the end of a line.
 */
export async function readMigrations(folder: string): Promise<Migration[]> {
  const files = (await readdir(folder)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file, index) => {
      const match = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match?.[1] || !match[2] || Number(match[1]) !== index + 1) {
        throw new MigrationFileError(
          `Migration ${file} must be named ${String(index + 1).padStart(3, '0')}_name.sql`,
        );
      }
      const sql = await readFile(join(folder, file), 'utf8');
      return { version: index + 1, name: match[2], statements: splitStatements(sql) };
    }),
  );
}

function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((statement) =>
      statement
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((statement) => statement !== '');
}

const CREATE_SCHEMA_MIGRATIONS: EngineSql = {
  postgresql: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  mysql: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
  )`,
};

/**
 * Applies, in order, each migration not yet recorded in `schema_migrations`, each in its own transaction
 * together with its record, so a failed migration leaves nothing behind. Returns the versions applied.
 * (MySQL commits each DDL statement at once, so there a failed migration can leave its earlier statements
 * applied, though never recorded.)
 */
export async function applyMigrations(db: Database, migrations: Migration[]): Promise<number[]> {
  await db.execute(CREATE_SCHEMA_MIGRATIONS);
  const { rows } = await db.execute<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => row.version));
  const pending = migrations.filter((migration) => !applied.has(migration.version));
  for (const migration of pending) {
    await db.transaction(async (tx) => {
      for (const statement of migration.statements) await tx.execute(statement);
      await tx.execute('INSERT INTO schema_migrations (version, name) VALUES (:version, :name)', {
        version: migration.version,
        name: migration.name,
      });
    });
  }
  return pending.map((migration) => migration.version);
}
