import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './database.js';

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

/**
 * Applies, in order, each migration not yet recorded in `schema_migrations`, each in its own transaction
 * together with its record, so a failed migration leaves nothing behind. Returns the versions applied.
 */
export async function applyMigrations(db: Database, migrations: Migration[]): Promise<number[]> {
  await db.execute(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
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
